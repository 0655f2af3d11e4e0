import { scoreCaptions } from '../../src/metrics/cider.js';
import { charErrorRate, wordErrorRate } from '../../src/metrics/edit-distance.js';
import type { BatchRecord } from './output.js';

export interface BatchSummary {
  readonly items: number;
  readonly failures: number;
  readonly processedNow: number;
  readonly seconds: number;
  readonly itemsPerSecond: number;
  readonly wer?: number;
  readonly cer?: number;
  readonly bleu?: number[];
  readonly cider?: number;
}

/** Counts and, where the records carry references, WER/CER or BLEU/CIDEr-D. */
export function summarise(
  records: readonly BatchRecord[],
  processedNow: number,
  seconds: number,
): BatchSummary {
  const ok = records.filter((r) => !r.error);
  const base = {
    items: records.length,
    failures: records.length - ok.length,
    processedNow,
    seconds,
    itemsPerSecond: processedNow / Math.max(seconds, 1e-9),
  };
  const spoken = ok.filter((r) => r.text !== undefined && r.references?.length);
  if (spoken.length) {
    const pairs = spoken.map((r) => [r.references![0]!, r.text!] as const);
    return { ...base, wer: wordErrorRate(pairs).rate, cer: charErrorRate(pairs).rate };
  }
  const captioned = ok.filter((r) => r.caption !== undefined && r.references?.length);
  if (captioned.length) {
    const pairs = captioned.map((r) => ({ hypothesis: r.caption!, references: r.references! }));
    return { ...base, ...scoreCaptions(pairs) };
  }
  return base;
}

export function formatSummary(s: BatchSummary): string {
  const parts = [
    `${s.items} items, ${s.failures} failed`,
    `${s.processedNow} processed now in ${s.seconds.toFixed(1)} s (${s.itemsPerSecond.toFixed(2)} items/s)`,
  ];
  if (s.wer !== undefined)
    parts.push(`WER ${(s.wer * 100).toFixed(2)}%, CER ${(s.cer! * 100).toFixed(2)}%`);
  if (s.bleu) parts.push(`BLEU-4 ${s.bleu[3]!.toFixed(3)}, CIDEr-D ${s.cider!.toFixed(3)}`);
  return parts.join('; ');
}
