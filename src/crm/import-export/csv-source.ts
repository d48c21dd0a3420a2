import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { CsvError, parse } from 'csv-parse';
import { BadRequestError } from '../../server/errors.js';

/**
 * CSV text, a stream of it, or a function that opens the stream (a file): that one is read twice,
 * once to count the rows so progress has a total and a broken file is refused before anything is
 * written, then to import.
 */
export type CsvSource = string | Readable | (() => Readable);

const CHUNK = 64 * 1024;

async function* textChunks(input: string | Readable): AsyncGenerator<string> {
  if (typeof input === 'string') {
    // Small chunks keep the parser's output buffer small: one 20 MB chunk would be parsed at once.
    for (let start = 0; start < input.length; start += CHUNK) yield input.slice(start, start + CHUNK);
    return;
  }
  const decoder = new StringDecoder('utf8');
  for await (const chunk of input as AsyncIterable<string | Buffer>) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    if (text) yield text;
  }
  const tail = decoder.end();
  if (tail) yield tail;
}

/** The delimiter of the header line: spreadsheets in many locales save "CSV" with semicolons. */
export function detectDelimiter(sample: string): string {
  const counts = new Map<string, number>([[',', 0], [';', 0], ['\t', 0], ['|', 0]]);
  let quoted = false;
  for (const char of sample) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) break;
    else if (!quoted && counts.has(char)) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  let best = ',';
  for (const [delimiter, count] of counts) if (count > (counts.get(best) ?? 0)) best = delimiter;
  return best;
}

/** Reads the start of the text to find the delimiter, then hands back the whole text. */
async function sniff(chunks: AsyncGenerator<string>): Promise<{ delimiter: string; chunks: AsyncGenerator<string> }> {
  const head: string[] = [];
  let length = 0;
  while (length < CHUNK) {
    const next = await chunks.next();
    if (next.done) break;
    head.push(next.value);
    length += next.value.length;
    if (/[\r\n]/.test(next.value)) break;
  }
  async function* replay(): AsyncGenerator<string> {
    yield* head;
    yield* chunks;
  }
  return { delimiter: detectDelimiter(head.join('')), chunks: replay() };
}

function parseRecords(chunks: AsyncGenerator<string>, delimiter: string): AsyncIterator<string[]> {
  const parser = parse({
    delimiter,
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
  });
  const source = Readable.from(chunks);
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  return (parser as AsyncIterable<string[]>)[Symbol.asyncIterator]();
}

export interface OpenedCsv {
  /** Records after the header; undefined when the source can only be read once. */
  total?: number;
  records: AsyncIterator<string[]>;
}

export function csvProblem(error: unknown): BadRequestError | undefined {
  if (error instanceof CsvError) return new BadRequestError(`The file is not valid CSV: ${error.message}`, { code: error.code });
  return undefined;
}

export async function openCsv(source: CsvSource): Promise<OpenedCsv> {
  const open = (): AsyncGenerator<string> =>
    textChunks(typeof source === 'function' ? source() : (source as string | Readable));
  let total: number | undefined;
  if (typeof source !== 'object') {
    const first = await sniff(open());
    const counter = parseRecords(first.chunks, first.delimiter);
    let records = 0;
    try {
      while (!(await counter.next()).done) records += 1;
    } catch (error) {
      throw csvProblem(error) ?? error;
    }
    total = Math.max(records - 1, 0);
  }
  const opened = await sniff(open());
  return { total, records: parseRecords(opened.chunks, opened.delimiter) };
}
