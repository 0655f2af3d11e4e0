import type { Transcript } from './transcript.js';

/** One output format: whisper's `get_writer` idea, one interface for every format. */
export interface TranscriptWriter {
  readonly extension: string;
  /** Subtitles: one file's cues; several files' cannot share one output. */
  readonly perFile?: boolean;
  format(transcripts: readonly Transcript[]): string;
}

const clock = (seconds: number, separator: ',' | '.'): string => {
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3600000);
  const m = Math.floor((ms % 3600000) / 60000);
  const s = Math.floor((ms % 60000) / 1000);
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}${separator}${String(ms % 1000).padStart(3, '0')}`;
};

const cues = (transcripts: readonly Transcript[], separator: ',' | '.') =>
  transcripts
    .flatMap((t) => t.segments)
    .map((s) => ({
      times: `${clock(s.start, separator)} --> ${clock(s.end, separator)}`,
      text: s.text,
    }));

/** Tab-separated cells: a tab or line break inside one (a file name) would shift the columns. */
const cell = (value: string | number | undefined): string =>
  value === undefined ? '' : String(value).replace(/[\t\r\n]+/g, ' ');

export const WRITERS: Record<'txt' | 'json' | 'srt' | 'vtt' | 'tsv', TranscriptWriter> = {
  txt: {
    extension: 'txt',
    format: (ts) => ts.map((t) => (ts.length > 1 ? `${t.file}\t${t.text}` : t.text)).join('\n'),
  },
  json: {
    extension: 'json',
    format: (ts) =>
      ts
        .map((t) =>
          JSON.stringify({
            file: t.file,
            text: t.text,
            segments: t.segments,
            words: t.words,
            model: t.model,
            backend: t.backend,
          }),
        )
        .join('\n'),
  },
  srt: {
    extension: 'srt',
    perFile: true,
    format: (ts) =>
      cues(ts, ',')
        .map((c, i) => `${i + 1}\n${c.times}\n${c.text}\n`)
        .join('\n'),
  },
  /** A word per row, for spreadsheets and scripts: file, start, end (seconds), word, confidence. */
  tsv: {
    extension: 'tsv',
    format: (ts) =>
      [
        'file\tstart\tend\tword\tconfidence',
        ...ts.flatMap((t) =>
          t.words.map((w) => [t.file, w.start, w.end, w.word, w.confidence].map(cell).join('\t')),
        ),
      ].join('\n'),
  },
  vtt: {
    extension: 'vtt',
    perFile: true,
    format: (ts) =>
      `WEBVTT\n\n${cues(ts, '.')
        .map((c) => `${c.times}\n${c.text}\n`)
        .join('\n')}`,
  },
};
