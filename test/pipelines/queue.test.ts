import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchRecord } from '../../pipelines/batch/output.js';
import { redactUrl, redisConnection } from '../../pipelines/queue/connection.js';
import { hasRedis, startRedis } from '../../pipelines/queue/local-redis.js';
import { saveTinyCaptioner, writeScenes } from '../../src/bench/fixtures.js';
import { projectPath } from '../../src/paths.js';
import { attend } from '../helpers/cli.js';
import { ready } from '../helpers/runtime.js';

const requireRedis = process.env.CI === 'true' || process.env.ATTEND_REQUIRE_NATIVE === '1';
const dir = mkdtempSync(join(tmpdir(), 'attend-queue-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const GOOD = 40;
const PASSWORD = 'correct-horse-battery';

describe('queue URLs', () => {
  it('parse redis:// and rediss:// with credentials and database, and never show the password', () => {
    expect(redisConnection('rediss://worker:s3cret@redis.example:6380/2')).toMatchObject({
      host: 'redis.example',
      port: 6380,
      db: 2,
      username: 'worker',
      password: 's3cret',
      tls: { servername: 'redis.example' },
    });
    expect(redactUrl('redis://worker:s3cret@redis.example:6380/2')).toBe(
      'redis://worker:***@redis.example:6380/2',
    );
    expect(() => redisConnection('http://x')).toThrow(/not a redis:\/\/ or rediss:\/\/ URL/);
  });
});

describe.runIf(hasRedis || requireRedis)('attend worker on a real Redis', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    await ready;
    redis = await startRedis(PASSWORD);
    await saveTinyCaptioner(join(dir, 'captioner'));
    await writeScenes(dir, GOOD);
    const rows = Array.from({ length: GOOD }, (_, i) =>
      JSON.stringify({ id: `img${String(i).padStart(2, '0')}`, image: `img${i}.png` }),
    );
    writeFileSync(join(dir, 'broken.png'), 'not a png');
    rows.push(JSON.stringify({ id: 'broken', image: 'broken.png' }));
    rows.push(JSON.stringify({ id: 'missing', image: 'nowhere.png' }));
    writeFileSync(join(dir, 'manifest.jsonl'), `${rows.join('\n')}\n`);
  });
  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    await redis?.stop();
  });

  const outputs = (file: string) =>
    Object.fromEntries(
      readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as BatchRecord)
        .map((r) => [r.id, r.caption ?? `error: ${r.error}`]),
    );
  const queueArgs = () => ['--queue', redis.url, '--name', 'scenes'];

  it('3 workers, one killed with -9 mid-run: every item done once, the same as a local batch', async () => {
    const local = join(dir, 'local.jsonl');
    attend([
      'batch',
      'caption',
      join(dir, 'manifest.jsonl'),
      '--out',
      local,
      '--model',
      join(dir, 'captioner'),
      '--beam',
      '2',
    ]);
    const enqueue = attend(['batch', 'caption', join(dir, 'manifest.jsonl'), ...queueArgs()]);
    expect(enqueue.stdout).toMatch(/added 42 items, 0 were already there/);
    expect(enqueue.stdout + enqueue.stderr).not.toContain(PASSWORD);

    for (let i = 0; i < 3; i++) {
      const child = spawn(
        process.execPath,
        [
          projectPath('bin', 'attend.js'),
          'worker',
          ...queueArgs(),
          '--model',
          join(dir, 'captioner'),
          '--beam',
          '2',
          '--batch-size',
          '2',
          '--lock-seconds',
          '2',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let log = '';
      child.stderr!.on('data', (d: Buffer) => {
        log += d.toString();
      });
      child.once('exit', () => expect(log).not.toContain(PASSWORD));
      workers.push(child);
    }
    const status = () =>
      JSON.parse(attend(['batch', 'status', ...queueArgs(), '--json']).stdout) as {
        done: number;
        failed: number;
      };
    for (let t = 0; t < 600 && status().done < 6; t++) await new Promise((r) => setTimeout(r, 100));
    workers[0]!.kill('SIGKILL');
    let s = status();
    for (let t = 0; t < 120 && s.done + s.failed < 42; t++) {
      await new Promise((r) => setTimeout(r, 500));
      s = status();
    }
    expect(s).toMatchObject({ done: 42, failed: 0, waiting: 0, active: 0 });

    const collected = join(dir, 'collected.jsonl');
    expect(attend(['batch', 'collect', ...queueArgs(), '--out', collected]).stdout).toMatch(
      /42 items \(2 failed\)/,
    );
    const ids = readFileSync(collected, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as BatchRecord).id);
    expect(new Set(ids).size).toBe(42);
    expect(outputs(collected)).toEqual(outputs(local));
    expect(outputs(collected).broken).toMatch(/broken\.png: /);

    // Enqueueing again changes nothing; collecting again gives the same file.
    expect(
      attend(['batch', 'caption', join(dir, 'manifest.jsonl'), ...queueArgs()]).stdout,
    ).toMatch(/added 0 items, 42 were already there/);
    const again = join(dir, 'again.jsonl');
    attend(['batch', 'collect', ...queueArgs(), '--out', again]);
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(collected, 'utf8'));

    // SIGTERM: the surviving workers finish and exit on their own.
    const exits = workers.slice(1).map((w) => new Promise((r) => w.once('exit', r)));
    for (const w of workers.slice(1)) w.kill('SIGTERM');
    expect(await Promise.all(exits)).toEqual([0, 0]);

    // A wrong password is one line, without the password.
    const wrong = attend([
      'batch',
      'status',
      '--queue',
      redis.url.replace(PASSWORD, 'guessed-wrong'),
      '--name',
      'scenes',
    ]);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/WRONGPASS/);
    expect(wrong.stderr).not.toContain('guessed-wrong');
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
  });
});
