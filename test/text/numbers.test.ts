import { describe, expect, it } from 'vitest';
import { integerWords, spellNumbers } from '../../src/text/numbers.js';

describe('spellNumbers', () => {
  it('reads cardinals, years, ordinals, decimals and decades', () => {
    expect(integerWords('0')).toEqual(['zero']);
    expect(spellNumbers('42')).toBe('forty two');
    expect(spellNumbers('1,200')).toBe('one thousand two hundred');
    expect(spellNumbers('1000000')).toBe('one million');
    expect(spellNumbers('305')).toBe('three hundred five');
    expect(spellNumbers('1984')).toBe('nineteen eighty four');
    expect(spellNumbers('2024')).toBe('twenty twenty four');
    expect(spellNumbers('2005')).toBe('two thousand five');
    expect(spellNumbers('1905')).toBe('nineteen oh five');
    expect(spellNumbers('1900')).toBe('one thousand nine hundred');
    expect(spellNumbers('21st')).toBe('twenty first');
    expect(spellNumbers('12th')).toBe('twelfth');
    expect(spellNumbers('3rd')).toBe('third');
    expect(spellNumbers('20th')).toBe('twentieth');
    expect(spellNumbers('3.5')).toBe('three point five');
    expect(spellNumbers('1990s')).toBe('nineteen nineties');
    expect(spellNumbers('6s')).toBe('sixes');
    expect(spellNumbers('mp3')).toBe('mp three');
    expect(spellNumbers('007')).toBe('zero zero seven');
    expect(spellNumbers('word')).toBe('word');
  });
});
