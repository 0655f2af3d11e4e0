import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { warpFeatures } from '../../pipelines/asr/vocal-tract-warp.js';
import { createAsrPipeline, PIECES_PER_BATCH } from '../../pipelines/transcribe.js';
import { splitIntoUtterances, trimSilence } from '../../src/audio/segment.js';
import { encodeWav16 } from '../../src/audio/wav.js';
import { charErrorRate } from '../../src/metrics/edit-distance.js';
import { AsrModel, asrFeatures, padFeatures } from '../../src/models/asr.js';
import { adaptToUtterance } from '../../src/models/asr-adapt.js';
import { tf } from '../../src/runtime/tf.js';
import { CharacterTokenizer } from '../../src/text/characters.js';
import { ctcLogLikelihood } from '../../src/train/ctc.js';
import { attend } from '../helpers/cli.js';
import { ready } from '../helpers/runtime.js';
import { hasEspeak, tinyAsrConfig, tinySpeech } from '../helpers/tiny-asr.js';

beforeAll(async () => {
  await ready;
});
const dir = mkdtempSync(join(tmpdir(), 'attend-asr-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const requireTts = process.env.CI === 'true' || process.env.ATTEND_REQUIRE_NATIVE === '1';

describe('character tokenizer', () => {
  it('round-trips text and maps unknown symbols to <unk>', () => {
    const tokenizer = CharacterTokenizer.english();
    expect(tokenizer.decode(tokenizer.encode("Don't stop"))).toBe("don't stop");
    expect(tokenizer.encode('a1')[1]).toBe(3);
  });
});

describe.runIf(hasEspeak || requireTts)('a tiny AED + CTC model', () => {
  it('overfits 10 spoken utterances to CER 0, and reloads from its checkpoint unchanged', async () => {
    const data = await tinySpeech();
    const tokenizer = CharacterTokenizer.english();
    const model = new AsrModel(tinyAsrConfig(tokenizer.size), tokenizer);
    model.build();
    const { features, lengths } = padFeatures(
      data.map((d) => asrFeatures(d.samples, model.config.features)),
    );
    const targets = data.map((d) => tokenizer.encode(d.text));
    const optimizer = tf.train.adam(3e-3);
    const transcripts = () =>
      model
        .transcribeFeatures(features, lengths, { beamSize: 1, lengthPenalty: 0, maxLength: 40 })
        .map((h) => tokenizer.decode(h[0]!.tokens));
    const ctcNow = () =>
      tf.tidy(() => model.losses({ features, lengths, targets }, false).ctc.dataSync()[0]!);
    const ctcBefore = ctcNow();
    let cer = 1;
    for (let step = 1; step <= 300 && cer > 0; step++) {
      const loss = optimizer.minimize(
        () => model.losses({ features, lengths, targets }).loss,
        true,
        model.params.list(),
      );
      loss?.dispose();
      if (step % 25 === 0)
        cer = charErrorRate(data.map((d, i) => [d.text, transcripts()[i]!] as const)).rate;
    }
    expect(cer).toBe(0);
    // the CTC head learns alongside (more slowly: it gets 30% of the loss)
    expect(ctcNow()).toBeLessThan(ctcBefore * 0.5);
    await model.save(join(dir, 'tiny'));
    const loaded = AsrModel.load(join(dir, 'tiny'));
    expect(
      loaded
        .transcribeFeatures(features, lengths, { beamSize: 1, lengthPenalty: 0, maxLength: 40 })
        .map((h) => tokenizer.decode(h[0]!.tokens)),
    ).toEqual(data.map((d) => d.text));
    // Beam search agrees with greedy on what the model knows by heart.
    const beam = model
      .transcribeFeatures(features, lengths, { beamSize: 4, maxLength: 40 })
      .map((h) => tokenizer.decode(h[0]!.tokens));
    expect(beam).toEqual(data.map((d) => d.text));
    // Joint decoding, as transcribe runs it (λ = 0.3): still every utterance right.
    const before = tf.memory().numTensors;
    const joint = model
      .transcribeFeatures(features, lengths, { beamSize: 4, ctcWeight: 0.3, maxLength: 40 })
      .map((h) => tokenizer.decode(h[0]!.tokens));
    expect(tf.memory().numTensors).toBe(before); // nothing left behind per batch
    expect(joint).toEqual(data.map((d) => d.text));
    // An input under 7 frames leaves the conv front end nothing: the empty transcript, while
    // the rest of its batch decodes as before.
    const all = data.map((d) => asrFeatures(d.samples, model.config.features));
    const first = all[0]!;
    const stub = { ...first, frames: 6, values: first.values.slice(0, 6 * first.dim) };
    const padded = padFeatures([stub, ...all]);
    const withStub = model
      .transcribeFeatures(padded.features, padded.lengths, { beamSize: 4, maxLength: 40 })
      .map((h) => tokenizer.decode(h[0]!.tokens));
    expect(withStub).toEqual(['', ...data.map((d) => d.text)]);
    padded.features.dispose();
    // With λ = 1 it is CTC prefix beam search: a finished hypothesis's summed prefix-score
    // increments telescope to log p_ctc(y).
    const picked = model.transcribeFeatures(features, lengths, {
      beamSize: 4,
      ctcWeight: 1,
      lengthPenalty: 0,
      maxLength: 40,
    });
    const ctc = tf.tidy(
      () => model.ctcLogProbs(model.encode(features, lengths).memory).arraySync() as number[][][],
    );
    const frames = model.encode(features, lengths).lengths;
    picked.forEach((list, b) => {
      const lp = Float32Array.from(ctc[b]!.flat());
      const best = list[0]!;
      expect(best.finished).toBe(true);
      expect(best.score).toBeCloseTo(
        ctcLogLikelihood(lp, frames[b]!, tokenizer.size, best.tokens),
        3,
      );
    });
    // The same checkpoint through the CLI, from a WAV file, as a user runs it.
    const wav = join(dir, 'phrase.wav');
    writeFileSync(wav, encodeWav16({ sampleRate: 16000, channels: [data[0]!.samples] }));
    const map = join(dir, 'attention.png');
    const cli = attend([
      'transcribe',
      wav,
      '--model',
      join(dir, 'tiny'),
      '--beam',
      '1',
      '--attention-map',
      map,
    ]);
    expect(cli.stderr).toBe('');
    expect(cli.stdout.trim()).toBe(data[0]!.text);
    // The figure: attention rows over the spectrogram, 2 px per 10 ms feature frame.
    const meta = await sharp(map).metadata();
    expect(meta.width).toBe(asrFeatures(data[0]!.samples, model.config.features).frames * 2);
    expect(meta.height).toBeGreaterThan(40 * 2 + (data[0]!.text.length + 1) * 3);
    // An n-gram LM over the phrases, fused into the CLI's beam search, keeps them right; a bad
    // LM file is one line naming it.
    const corpus = join(dir, 'corpus');
    mkdirSync(corpus);
    const manifest = data
      .map((d, i) => {
        const audio = join(corpus, `${i}.wav`);
        writeFileSync(audio, encodeWav16({ sampleRate: 16000, channels: [d.samples] }));
        return JSON.stringify({ audio, text: d.text });
      })
      .join('\n');
    writeFileSync(join(corpus, 'train.jsonl'), manifest);
    writeFileSync(join(corpus, 'dev.jsonl'), manifest);
    const trained = attend([
      'train',
      'lm',
      '--data',
      corpus,
      '--model',
      join(dir, 'tiny'),
      '--order',
      '4',
      '--word-order',
      '2',
    ]);
    expect(trained.stderr).toBe('');
    expect(trained.stdout).toMatch(/10 sentences; perplexity per token: dev \d/);
    expect(trained.stdout).toMatch(/word-lm\.json\.gz: \d+ words; perplexity per word: dev \d/);
    expect(existsSync(join(dir, 'tiny', 'lm.json'))).toBe(true);
    // Fine-tuning on it with a corpus mixed in twice: 10 + 2 × 10 utterances an epoch, and the
    // card's retrain line gives the mix again.
    const mixed = attend([
      'train',
      'asr',
      '--data',
      corpus,
      '--mix',
      `${corpus}:2`,
      '--init',
      join(dir, 'tiny'),
      '--out',
      join(dir, 'mixed'),
      '--steps',
      '1',
      '--dev-utterances',
      '2',
    ]);
    expect(mixed.status).toBe(0);
    expect(mixed.stderr).toContain(
      `train asr: 30 utterances an epoch (10 from ${corpus}, 10 ×2 from ${corpus})`,
    );
    const mixedCard = JSON.parse(readFileSync(join(dir, 'mixed', 'latest', 'card.json'), 'utf8'));
    expect(mixedCard.retrain).toMatch(new RegExp(`--init \\S+ --mix ${corpus}:2$`));
    expect(attend(['train', 'asr', '--data', corpus, '--mix', `${corpus}:0`]).stderr).toMatch(
      /--mix .*:0: the number of copies must be at least 1/,
    );
    const fused = attend(['transcribe', wav, '--model', join(dir, 'tiny'), '--lm-weight', '0.5']);
    expect(fused.stdout.trim()).toBe(data[0]!.text);
    const adapting = (...flags: string[]) =>
      attend(['transcribe', wav, '--model', join(dir, 'tiny'), '--adapt', ...flags]);
    expect(adapting('1').status).toBe(0);
    expect(adapting('-1').stderr).toMatch(/--adapt: '-1' is not a whole number >= 0/);
    expect(adapting('1', '--adapt-params', 'all').stderr).toMatch(
      /--adapt-params: 'all' is not one of norms, front/,
    );
    // --tune picks the fusion weights on a dev manifest and writes decoding.json, which eval uses.
    const evalDev = (...extra: string[]) =>
      attend([
        'eval',
        'asr',
        '--data',
        join(corpus, 'dev.jsonl'),
        '--model',
        join(dir, 'tiny'),
        ...extra,
      ]);
    const tune = evalDev(
      '--tune',
      '--ctc-weights',
      '0.3,0.6',
      '--lm-weights',
      '0,0.5',
      '--lexicon-weights',
      '0,1',
      '--word-lm-weights',
      '0',
    );
    expect(tune.stdout).toMatch(/ctc 0.3 lm 0 lexicon 0 words 0: WER 0.00%/);
    expect(tune.stdout).toMatch(/ctc 0.6 lm 0.5 lexicon 1 words 0: WER/);
    const tuned = JSON.parse(readFileSync(join(dir, 'tiny', 'decoding.json'), 'utf8'));
    expect(tuned).toMatchObject({
      beamSize: 4,
      ctcWeight: 0.3,
      lmWeight: 0,
      lexiconWeight: 0,
      wordLmWeight: 0,
      devWer: 0,
    });
    const hypotheses = join(dir, 'hypotheses.jsonl');
    const scored = JSON.parse(evalDev('--json', '--hypotheses', hypotheses).stdout);
    expect(scored).toMatchObject({ utterances: 10, wer: 0, ctcWeight: 0.3, lmWeight: 0, beam: 4 });
    // --hypotheses: one line per utterance, in manifest order, for error analysis
    const lines = readFileSync(hypotheses, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const devItems = readFileSync(join(corpus, 'dev.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(10);
    lines.forEach((line, i) => {
      const item = JSON.parse(devItems[i]!);
      expect(line.audio).toBe(resolve(corpus, item.audio));
      expect(line).toMatchObject({ reference: item.text, hypothesis: item.text, wordErrors: 0 });
      expect(line.words).toBe(item.text.split(' ').length);
    });
    // An utterance that cannot be read is skipped, named, and the exit status says so.
    const withMissing = join(corpus, 'missing.jsonl');
    writeFileSync(
      withMissing,
      `${devItems[0]}\n${JSON.stringify({ audio: 'gone.wav', text: 'gone' })}\n`,
    );
    const partial = attend([
      'eval',
      'asr',
      '--data',
      withMissing,
      '--model',
      join(dir, 'tiny'),
      '--json',
    ]);
    expect(partial.status).toBe(1);
    expect(partial.stderr).toContain(`attend: skipped ${join(corpus, 'gone.wav')}: no such file`);
    expect(JSON.parse(partial.stdout)).toMatchObject({ utterances: 1, failures: 1 });
    // The word n-gram fused with look-ahead keeps the phrases right too.
    const withWords = JSON.parse(evalDev('--json', '--word-lm-weight', '0.5').stdout);
    expect(withWords).toMatchObject({ utterances: 10, wer: 0, wordLmWeight: 0.5 });
    // Long audio is transcribed in utterance-sized pieces cut at pauses: four phrases with 2 s of
    // silence between them and pieces of at most 3.5 s give one piece per phrase (silence trimmed to 0.5 s), each
    // decoded as the model decodes that stretch alone, joined in order with times moved to the file.
    const silence = new Float32Array(2 * 16000);
    const parts = data.slice(0, 4).flatMap((d) => [d.samples, silence]);
    const long = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    const phraseStarts: number[] = [];
    parts.reduce((offset, p, i) => {
      if (i % 2 === 0) phraseStarts.push(offset);
      long.set(p, offset);
      return offset + p.length;
    }, 0);
    const ranges = splitIntoUtterances(long, { maxSeconds: 3.5 }).flatMap(
      (cut) => trimSilence(long, cut) ?? [],
    );
    expect(ranges.length).toBe(4);
    ranges.forEach((r, i) => {
      expect(r.start).toBeLessThanOrEqual(phraseStarts[i]!);
      expect(r.end).toBeGreaterThanOrEqual(phraseStarts[i]! + data[i]!.samples.length - 8000);
      expect(r.end).toBeLessThan(phraseStarts[i + 1] ?? long.length + 1);
    });
    const alone = ranges.map((r) => {
      const piece = padFeatures([
        asrFeatures(long.subarray(r.start, r.end), model.config.features),
      ]);
      const [best] = model.transcribeFeatures(piece.features, piece.lengths, { beamSize: 1 });
      piece.features.dispose();
      return tokenizer.decode(best![0]!.tokens);
    });
    const pipeline = createAsrPipeline(join(dir, 'tiny'), 'none');
    const [whole] = pipeline.transcribeAudio([{ file: 'long.wav', samples: long }], {
      beamSize: 1,
      pieceSeconds: 3.5,
    });
    // Warp search: each piece decoded at each warp alone, the best-scoring hypothesis kept.
    const warps = [0.9, 1, 1.12];
    const searched = ranges.map((r) => {
      const f = asrFeatures(long.subarray(r.start, r.end), model.config.features);
      const candidates = warps.map((alpha) => {
        const piece = padFeatures([warpFeatures(f, alpha, 8000)]);
        const [best] = model.transcribeFeatures(piece.features, piece.lengths, { beamSize: 1 });
        piece.features.dispose();
        return best![0]!;
      });
      return tokenizer.decode(candidates.reduce((a, b) => (b.score > a.score ? b : a)).tokens);
    });
    const [warped] = pipeline.transcribeAudio([{ file: 'long.wav', samples: long }], {
      beamSize: 1,
      pieceSeconds: 3.5,
      warps,
    });
    expect(warped!.text).toBe(searched.filter(Boolean).join(' '));
    // Test-time adaptation: each piece adapted alone, decoded, and every weight put back.
    const adapt = { steps: 2, learningRate: 3e-3 };
    const tensors = tf.memory().numTensors;
    const [adapted] = pipeline.transcribeAudio([{ file: 'long.wav', samples: long }], {
      beamSize: 1,
      pieceSeconds: 3.5,
      adapt,
    });
    expect(tf.memory().numTensors).toBe(tensors);
    const adaptedAlone = ranges.map((r) => {
      const f = asrFeatures(long.subarray(r.start, r.end), model.config.features);
      const restore = adaptToUtterance(pipeline.model, f, adapt);
      try {
        const piece = padFeatures([f]);
        const [best] = pipeline.model.transcribeFeatures(piece.features, piece.lengths, {
          beamSize: 1,
        });
        piece.features.dispose();
        return tokenizer.decode(best![0]!.tokens);
      } finally {
        restore();
      }
    });
    expect(adapted!.text).toBe(adaptedAlone.filter(Boolean).join(' '));
    const [unadapted] = pipeline.transcribeAudio([{ file: 'long.wav', samples: long }], {
      beamSize: 1,
      pieceSeconds: 3.5,
    });
    expect(unadapted!.text).toBe(whole!.text);
    // Twenty pieces decode in batches of PIECES_PER_BATCH (bounded memory for long recordings),
    // reporting progress, and read as the four pieces do, five times over.
    const unit = new Float32Array(silence.length + long.length); // every copy begins with silence
    unit.set(long, silence.length);
    const repeated = new Float32Array(unit.length * 5);
    for (let i = 0; i < 5; i++) repeated.set(unit, i * unit.length);
    const [once] = pipeline.transcribeAudio([{ file: 'unit.wav', samples: unit }], {
      beamSize: 1,
      pieceSeconds: 3.5,
    });
    const progress: [number, number][] = [];
    const [five] = pipeline.transcribeAudio([{ file: 'five.wav', samples: repeated }], {
      beamSize: 1,
      pieceSeconds: 3.5,
      onPieces: (done, total) => progress.push([done, total]),
    });
    expect(progress).toEqual([
      [0, 20],
      [PIECES_PER_BATCH, 20],
      [20, 20],
    ]);
    expect(five!.text).toBe(Array(5).fill(once!.text).join(' '));
    pipeline.dispose();
    expect(whole!.text).toBe(alone.filter(Boolean).join(' '));
    const starts = whole!.words.map((w) => w.start);
    expect(Math.min(...starts)).toBeGreaterThanOrEqual(0);
    expect(whole!.words.at(-1)!.end).toBeLessThanOrEqual(whole!.duration);
    // Words of the last piece are placed after the third phrase began.
    const lastWords = alone[3]!.split(' ').length;
    for (const w of whole!.words.slice(-lastWords))
      expect(w.start).toBeGreaterThan(phraseStarts[2]! / 16000);
    // Attention rows stay piece-sized, placed on the file's encoder frames: the last piece's rows
    // start where it does, and none runs past the end of the file.
    const fileFrames = Math.ceil(whole!.duration / 0.04);
    for (const row of whole!.attention)
      expect(row.start + row.weights.length).toBeLessThanOrEqual(fileFrames);
    expect(whole!.attention.at(-1)!.start).toBe(Math.round(ranges[3]!.start / 16000 / 0.04));
    writeFileSync(join(dir, 'bad-lm.json'), '{"type": "ngram"');
    const bad = attend([
      'transcribe',
      wav,
      '--model',
      join(dir, 'tiny'),
      '--lm',
      join(dir, 'bad-lm.json'),
    ]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/bad-lm\.json: not a language model file/);
    expect(bad.stderr).not.toMatch(/\n\s+at /); // no stack trace
    optimizer.dispose();
    tf.dispose([features]);
    model.dispose();
    loaded.dispose();
  });
});
