import { createInterface } from 'node:readline';
import type { Config } from '../config/config.js';
import { withApiClient, type ApiClient } from './api-client.js';

interface Turn {
  reply: string;
  lead_id: string | null;
  extracted: Record<string, unknown>;
  score: number | null;
  status_bucket: string | null;
  done: boolean;
}

interface Problem {
  detail?: string;
  title?: string;
}

export interface ChatOptions {
  channel: string;
  from?: string;
  country?: string;
  url?: string;
  key?: string;
}

const problem = (body: unknown, status: number) => {
  const p = (body ?? {}) as Problem;
  return `${status}${p.detail || p.title ? `: ${p.detail ?? p.title}` : ''}`;
};

/**
 * `clara chat`: be the prospect in a terminal and watch what Clara extracts and scores. Reads
 * standard input line by line, so a script can be piped in (`clara chat < script.txt`).
 */
export async function chatCommand(config: Config, options: ChatOptions, output: NodeJS.WritableStream = process.stdout): Promise<void> {
  await withApiClient(config, options, (api) => converse(api, options, output));
}

async function converse(api: ApiClient, options: ChatOptions, output: NodeJS.WritableStream): Promise<void> {
  const interactive = Boolean(process.stdin.isTTY);
  const dim = (text: string) => (interactive && process.stdout.isTTY ? `\x1b[2m${text}\x1b[0m` : text);
  const say = (text: string) => output.write(`${text}\n`);
  // The line iterator, taken at once, buffers every line that arrives before it is read (while
  // the session starts, while a turn is in flight): piped scripts lose nothing.
  const rl = createInterface({ input: process.stdin, terminal: interactive });
  const lines = rl[Symbol.asyncIterator]();
  try {
    const started = await api.request<{ id: string; reply: string }>('POST', '/api/v1/agent/sessions', {
      channel: options.channel,
      ...(options.from ? { from: options.from } : {}),
      ...(options.country ? { country: options.country.toUpperCase() } : {}),
    });
    if (started.status !== 201) throw new Error(`Could not start a session (${problem(started.body, started.status)})`);
    const sessionId = started.body.id;
    say(`Clara: ${started.body.reply}`);
    if (interactive) say(dim('(type /end or press Ctrl-D to finish)'));
    const prompt = () => output.write('you> ');
    prompt();
    for (let next = await lines.next(); !next.done; next = await lines.next()) {
      const raw: string = next.value;
      const line = raw.trim();
      if (!interactive) output.write(`${line}\n`);
      if (line === '/end') break;
      if (!line) {
        prompt();
        continue;
      }
      const turn = await api.request<Turn>('POST', `/api/v1/agent/sessions/${sessionId}/turns`, { text: line });
      if (turn.status !== 200) {
        say(`(error ${problem(turn.body, turn.status)})`);
        prompt();
        continue;
      }
      say(`Clara: ${turn.body.reply}`);
      const facts = Object.entries(turn.body.extracted)
        .filter(([key]) => key !== 'refused')
        .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
        .join('  ');
      const refused = Array.isArray(turn.body.extracted.refused) && turn.body.extracted.refused.length ? `  refused=${turn.body.extracted.refused.join(',')}` : '';
      say(dim(`  [${turn.body.status_bucket ?? '--'} ${turn.body.score ?? '-'}] ${facts || '(nothing extracted yet)'}${refused}`));
      if (turn.body.done) break;
      prompt();
    }
    const ended = await api.request<{ call_id: string; lead_id: string | null }>('POST', `/api/v1/agent/sessions/${sessionId}/end`, {});
    if (ended.status !== 200) throw new Error(`Could not end the session (${problem(ended.body, ended.status)})`);
    say(`\nSession ended. Call ${ended.body.call_id}${ended.body.lead_id ? `, lead ${ended.body.lead_id}` : ', no lead'}.`);
  } finally {
    rl.close();
  }
}
