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

/** One subtitle cue: SRT numbers its cues and writes 00:00:01,000; WebVTT writes 00:00:01.000. */
export function subtitleCue(
  kind: 'srt' | 'vtt',
  index: number,
  start: number,
  end: number,
  text: string,
): string {
  const separator = kind === 'srt' ? ',' : '.';
  const times = `${clock(start, separator)} --> ${clock(end, separator)}`;
  return kind === 'srt' ? `${index}\n${times}\n${text}\n` : `${times}\n${text}\n`;
}

/** The header a WebVTT file starts with. */
export const VTT_HEADER = 'WEBVTT\n\n';

const cues = (kind: 'srt' | 'vtt', transcripts: readonly Transcript[]) =>
  transcripts
    .flatMap((t) => t.segments)
    .map((s, i) => subtitleCue(kind, i + 1, s.start, s.end, s.text))
    .join('\n');

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
    format: (ts) => cues('srt', ts),
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
    format: (ts) => `${VTT_HEADER}${cues('vtt', ts)}`,
  },
};
