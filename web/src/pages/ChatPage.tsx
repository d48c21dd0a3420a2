import { ActionIcon, Alert, Anchor, Badge, Button, Card, Grid, Group, Paper, Progress, ScrollArea, Stack, Switch, Table, Text, TextInput, Title, Tooltip } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { api, errorMessage, must, type AgentTurn } from '../api/client';
import { BucketBadge } from '../components/LeadBadges';
import { useAbilities } from '../lib/auth';
import { humanize, leadName } from '../lib/format';

interface Message {
  role: 'assistant' | 'user';
  text: string;
}

// The Web Speech API is not in TypeScript's DOM library everywhere; only what is used here.
interface Recognition {
  lang: string;
  interimResults: boolean;
  onresult: ((event: { results: ArrayLike<ArrayLike<{ transcript: string }>> }) => void) | null;
  onend: (() => void) | null;
  start(): void;
  stop(): void;
}
type RecognitionConstructor = new () => Recognition;
const SpeechRecognition = (window as unknown as { SpeechRecognition?: RecognitionConstructor; webkitSpeechRecognition?: RecognitionConstructor })
  .SpeechRecognition ?? (window as unknown as { webkitSpeechRecognition?: RecognitionConstructor }).webkitSpeechRecognition;

function speak(text: string): void {
  if (!('speechSynthesis' in window)) return;
  window.speechSynthesis.cancel();
  window.speechSynthesis.speak(new SpeechSynthesisUtterance(text));
}

function value(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** A conversation with Clara, as a prospect would have it, beside what Clara writes into the CRM. */
export default function ChatPage() {
  const { canEdit } = useAbilities();
  const [session, setSession] = useState<string | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [state, setState] = useState<Pick<AgentTurn, 'lead_id' | 'extracted' | 'score' | 'status_bucket' | 'done'>>({
    lead_id: null,
    extracted: {},
    score: null,
    status_bucket: null,
    done: false,
  });
  const [text, setText] = useState('');
  const [voice, setVoice] = useState(false);
  const [listening, setListening] = useState(false);
  const recognition = useRef<Recognition | null>(null);
  const bottom = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    bottom.current?.scrollIntoView?.({ block: 'end' });
  }, [messages]);

  const start = useMutation({
    mutationFn: async () => must(await api.POST('/api/v1/agent/sessions', { body: { channel: 'web' } })),
    onSuccess: (started) => {
      setSession(started.id);
      setMessages([{ role: 'assistant', text: started.reply }]);
      setState({ lead_id: started.lead_id, extracted: {}, score: null, status_bucket: null, done: false });
      if (voice) speak(started.reply);
      setTimeout(() => input.current?.focus(), 0);
    },
  });
  const say = useMutation({
    mutationFn: async (said: string) =>
      must(await api.POST('/api/v1/agent/sessions/{id}/turns', { params: { path: { id: session ?? '' } }, body: { text: said } })),
    onMutate: (said) => setMessages((m) => [...m, { role: 'user', text: said }]),
    onSuccess: (turn) => {
      setMessages((m) => [...m, { role: 'assistant', text: turn.reply }]);
      setState({ lead_id: turn.lead_id, extracted: turn.extracted, score: turn.score, status_bucket: turn.status_bucket, done: turn.done });
      if (voice) speak(turn.reply);
    },
  });
  const end = useMutation({
    mutationFn: async () => must(await api.POST('/api/v1/agent/sessions/{id}/end', { params: { path: { id: session ?? '' } }, body: {} })),
    onSuccess: () => setState((s) => ({ ...s, done: true })),
  });
  // The lead as it is written: refreshed by the event stream (query key "leads").
  const lead = useQuery({
    queryKey: ['leads', state.lead_id],
    enabled: Boolean(state.lead_id),
    queryFn: async () => must(await api.GET('/api/v1/leads/{id}', { params: { path: { id: state.lead_id ?? '' } } })),
  });

  const send = () => {
    const said = text.trim();
    if (!said || !session || say.isPending) return;
    setText('');
    say.mutate(said);
  };
  const listen = () => {
    if (!SpeechRecognition) return;
    if (listening) return recognition.current?.stop();
    const r = new SpeechRecognition();
    r.lang = navigator.language || 'en-US';
    r.interimResults = false;
    r.onresult = (event) => {
      const heard = event.results[0]?.[0]?.transcript ?? '';
      if (heard) setText((t) => (t ? `${t} ${heard}` : heard));
    };
    r.onend = () => setListening(false);
    recognition.current = r;
    setListening(true);
    r.start();
  };

  const extracted = Object.entries(state.extracted).filter(([, v]) => v !== null && v !== undefined && v !== '');
  const error = start.error ?? say.error ?? end.error;

  return (
    <Stack>
      <Group justify="space-between">
        <div>
          <Title order={1} size="h2">
            Talk to Clara
          </Title>
          <Text size="sm" c="dimmed">
            Play a prospect: Clara qualifies you by budget, authority, need and timeline and writes the lead as you speak.
          </Text>
        </div>
        <Group>
          <Switch label="Speak replies" checked={voice} onChange={(e) => setVoice(e.currentTarget.checked)} disabled={!('speechSynthesis' in window)} />
          <Button onClick={() => start.mutate()} loading={start.isPending} disabled={!canEdit} variant={session ? 'default' : 'filled'}>
            {session ? 'New conversation' : 'Start a conversation'}
          </Button>
          {session && !state.done && (
            <Button variant="light" color="gray" onClick={() => end.mutate()} loading={end.isPending}>
              End conversation
            </Button>
          )}
        </Group>
      </Group>
      {!canEdit && <Alert color="gray">Viewers cannot start conversations.</Alert>}
      {error && <Alert color="red" role="alert">{errorMessage(error)}</Alert>}
      <Grid>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Paper withBorder p="sm" h={480} style={{ display: 'flex', flexDirection: 'column' }}>
            <ScrollArea style={{ flex: 1 }} aria-live="polite" aria-label="Conversation">
              <Stack gap="xs" p="xs">
                {messages.length === 0 && <Text c="dimmed" size="sm">Start a conversation to meet Clara.</Text>}
                {messages.map((m, i) => (
                  <Group key={i} justify={m.role === 'user' ? 'flex-end' : 'flex-start'}>
                    <Paper
                      p="xs"
                      px="sm"
                      maw="80%"
                      bg={m.role === 'user' ? 'indigo.8' : 'var(--clara-surface)'}
                      c={m.role === 'user' ? 'white' : undefined}
                      data-role={m.role}
                    >
                      <Text size="sm">{m.text}</Text>
                    </Paper>
                  </Group>
                ))}
                {say.isPending && <Text size="xs" c="dimmed">Clara is typing…</Text>}
                <div ref={bottom} />
              </Stack>
            </ScrollArea>
            <form
              onSubmit={(e) => {
                e.preventDefault();
                send();
              }}
            >
              <Group gap="xs" mt="xs" wrap="nowrap">
                <TextInput
                  ref={input}
                  aria-label="Your message"
                  placeholder={session ? (state.done ? 'The conversation has ended' : 'Type as the prospect…') : 'Start a conversation first'}
                  value={text}
                  onChange={(e) => setText(e.currentTarget.value)}
                  disabled={!session || state.done}
                  style={{ flex: 1 }}
                />
                {SpeechRecognition && (
                  <Tooltip label={listening ? 'Stop listening' : 'Speak'}>
                    <ActionIcon size="lg" variant={listening ? 'filled' : 'default'} color="red" onClick={listen} disabled={!session || state.done} aria-label={listening ? 'Stop listening' : 'Speak your message'}>
                      <svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
                        <rect x="9" y="2" width="6" height="12" rx="3" />
                        <path d="M5 10a7 7 0 0 0 14 0M12 17v5" />
                      </svg>
                    </ActionIcon>
                  </Tooltip>
                )}
                <Button type="submit" disabled={!session || state.done || !text.trim()} loading={say.isPending}>
                  Send
                </Button>
              </Group>
            </form>
          </Paper>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Stack>
            <Card withBorder aria-label="Live lead">
              <Group justify="space-between" mb="xs">
                <Title order={2} size="h4">
                  Lead
                </Title>
                {state.status_bucket && <BucketBadge bucket={state.status_bucket} />}
              </Group>
              {state.lead_id ? (
                <>
                  <Anchor component={Link} to={`/leads/${state.lead_id}`} fw={500}>
                    {lead.data ? leadName(lead.data) : 'Open the lead'}
                  </Anchor>
                  <Group gap="xs" mt="xs">
                    <Text size="sm" fw={600} data-testid="live-score">
                      Score {state.score ?? lead.data?.lead_score ?? 0}
                    </Text>
                    {lead.data && <Badge variant="outline" size="sm">{humanize(lead.data.qualification_status)}</Badge>}
                  </Group>
                  <Progress value={state.score ?? lead.data?.lead_score ?? 0} mt={4} aria-label="Lead score" />
                </>
              ) : (
                <Text size="sm" c="dimmed">
                  No lead yet: Clara writes one as soon as she knows who she is talking to.
                </Text>
              )}
            </Card>
            <Card withBorder>
              <Title order={2} size="h4" mb="xs">
                What Clara has understood
              </Title>
              {extracted.length === 0 ? (
                <Text size="sm" c="dimmed">
                  Nothing yet.
                </Text>
              ) : (
                <Table fz="sm" aria-label="Extracted facts">
                  <Table.Tbody>
                    {extracted.map(([key, v]) => (
                      <Table.Tr key={key}>
                        <Table.Td c="dimmed">{humanize(key)}</Table.Td>
                        <Table.Td>{value(v)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              )}
            </Card>
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
