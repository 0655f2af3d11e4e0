import { freemem, totalmem } from 'node:os';
import type { Command } from 'commander';
import { DEFAULT_CAPTION_MODEL } from '../../../pipelines/caption.js';
import { DEFAULT_PUNCTUATION_MODEL } from '../../../pipelines/punctuate.js';
import { DEFAULT_ASR_MODEL } from '../../../pipelines/transcribe.js';
import { matMulBlock } from '../../bench/blocks.js';
import { timeStep } from '../../bench/runner.js';
import { checkpointHealth } from '../../io/checkpoint-health.js';
import { blasDescription } from '../../runtime/native/addon.js';
import { readNativeTarget } from '../../runtime/native/target.js';
import { tf } from '../../runtime/tf.js';
import { startRuntime, VERSION } from '../context.js';

const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

async function quickMatMulGflops(n = 512): Promise<number> {
  const workload = matMulBlock(n, false);
  try {
    return (2 * n ** 3) / (await timeStep(workload.step, { minSeconds: 0.3, maxReps: 20 })) / 1e9;
  } finally {
    workload.dispose();
  }
}

/** The checkpoints attend uses by default. */
const SHIPPED = [DEFAULT_ASR_MODEL, DEFAULT_CAPTION_MODEL, DEFAULT_PUNCTUATION_MODEL];

export function doctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('show the backend in use, why the others were skipped, and a quick speed check')
    .option('--json', 'print one JSON object instead of text')
    .action(async (options: { json?: boolean }, command: Command) => {
      const report = await startRuntime(command, { probeAll: true });
      const gflops = await quickMatMulGflops();
      const target = readNativeTarget();
      const facts = {
        attend: VERSION,
        tfjs: tf.version.tfjs,
        node: process.version,
        platform: `${process.platform} ${process.arch}`,
        backend: report.backend,
        source: report.source,
        threads: report.threads,
        matmul512Gflops: Number(gflops.toFixed(1)),
        ...(blasDescription() ? { blas: blasDescription() } : {}),
        ...(target ? { nativeBuild: { march: target.march, cpuModel: target.cpuModel } } : {}),
        freeMemoryBytes: freemem(),
        totalMemoryBytes: totalmem(),
        backends: report.attempts,
        models: SHIPPED.map(checkpointHealth),
      };
      if (options.json) {
        console.log(JSON.stringify(facts));
        return;
      }
      const width = Math.max(...report.attempts.map((a) => a.id.length));
      console.log(`attend ${VERSION} (tfjs ${facts.tfjs}, node ${facts.node}, ${facts.platform})`);
      console.log(`backend: ${report.backend} (${report.source}), ${report.threads} thread(s)`);
      console.log('backends, in the automatic order:');
      for (const attempt of report.attempts) {
        const detail = attempt.reason ?? attempt.summary;
        console.log(`  ${attempt.id.padEnd(width)}  ${attempt.status.padEnd(9)}  ${detail}`);
      }
      console.log(`matmul 512x512x512: ${gflops.toFixed(1)} GFLOP/s on ${report.backend}`);
      if (facts.blas) console.log(`blas: ${facts.blas}`);
      if (target) console.log(`native build: -march=${target.march} on "${target.cpuModel}"`);
      console.log(`memory: ${gib(freemem())} free of ${gib(totalmem())}`);
      console.log('shipped models:');
      for (const m of facts.models)
        console.log(
          m.problem
            ? `  ${m.name.padEnd(15)} unusable  ${m.problem}`
            : `  ${m.name.padEnd(15)} ok        ${m.task}, ${((m.bytes ?? 0) / 2 ** 20).toFixed(1)} MiB of weights, checksum matches`,
        );
    });
}
