import '@mantine/charts/styles.css';
import { AreaChart, BarChart, DonutChart } from '@mantine/charts';
import { Button, Group, Paper, Progress, SimpleGrid, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import type { Dashboard } from './DashboardPage';

const FUNNEL_COLORS = ['indigo.3', 'indigo.4', 'indigo.5', 'indigo.6', 'teal.6'];
const SENTIMENT_COLORS = { positive: 'teal.6', neutral: 'gray.5', negative: 'red.6' } as const;

const percent = (share: number | null) => (share === null ? '—' : `${Math.round(share * 100)}%`);

function Panel({ title, children, action }: { title: string; children: ReactNode; action?: ReactNode }) {
  return (
    <Paper withBorder p="md" component="section" aria-label={title}>
      <Group justify="space-between" mb="sm" wrap="nowrap">
        <Title order={2} size="h4">
          {title}
        </Title>
        {action}
      </Group>
      {children}
    </Paper>
  );
}

interface Figures {
  columns: string[];
  rows: (string | number)[][];
}

/** The chart's figures as a table: what a screen reader reads, and what anyone may ask to see. */
function FiguresTable({ title, figures }: { title: string; figures: Figures }) {
  return (
    <Table striped aria-label={`${title}: figures`} data-figures={title}>
        <Table.Thead>
          <Table.Tr>
            {figures.columns.map((column, i) => (
              <Table.Th key={column} ta={i === 0 ? undefined : 'right'}>
                {column}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {figures.rows.map((row) => (
            <Table.Tr key={String(row[0])}>
              {row.map((cell, i) => (
                <Table.Td key={i} ta={i === 0 ? undefined : 'right'}>
                  {cell}
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
    </Table>
  );
}

/**
 * A chart with its text alternative: the same figures as a table, visually hidden (read by screen
 * readers) until "Show as table" puts it in the chart's place.
 */
function ChartPanel({ title, figures, empty, children }: { title: string; figures: Figures; empty?: string; children: ReactNode }) {
  const [asTable, setAsTable] = useState(false);
  if (figures.rows.length === 0) {
    return (
      <Panel title={title}>
        <Text size="sm" c="dimmed">
          {empty}
        </Text>
      </Panel>
    );
  }
  const toggle = (
    <Button size="compact-xs" variant="subtle" aria-pressed={asTable} aria-label={`Show as table: ${title}`} onClick={() => setAsTable((v) => !v)}>
      Show as table
    </Button>
  );
  return (
    <Panel title={title} action={toggle}>
      {asTable ? (
        <FiguresTable title={title} figures={figures} />
      ) : (
        <>
          {children}
          <VisuallyHidden>
            <FiguresTable title={title} figures={figures} />
          </VisuallyHidden>
        </>
      )}
    </Panel>
  );
}

export default function DashboardCharts({ dashboard: d }: { dashboard: Dashboard }) {
  const sources = d.sources.sources.map((s) => ({ source: s.source ?? 'unknown', leads: s.leads, qualified: s.qualified, won: s.won }));
  if (d.sources.other.leads > 0) sources.push({ source: `${d.sources.other.sources} others`, leads: d.sources.other.leads, qualified: 0, won: 0 });
  const scored = d.sentiment.breakdown.filter((b) => b.calls > 0);
  const sentiment = scored.map((b) => ({ name: b.sentiment, value: b.calls, color: SENTIMENT_COLORS[b.sentiment] }));
  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }}>
      <ChartPanel
        title="Leads over time"
        figures={{ columns: ['Period from', 'Leads', 'Qualified', 'P1'], rows: d.leads_over_time.map((b) => [b.bucket, b.leads, b.qualified, b.p1]) }}
        empty="No leads in the period."
      >
        <AreaChart
          h={240}
          data={d.leads_over_time}
          dataKey="bucket"
          series={[
            { name: 'leads', label: 'Leads', color: 'indigo.5' },
            { name: 'qualified', label: 'Qualified', color: 'teal.5' },
            { name: 'p1', label: 'P1', color: 'red.5' },
          ]}
          withLegend
          curveType="monotone"
        />
      </ChartPanel>
      <Panel title="Funnel">
        <Stack gap="sm">
          {d.funnel.steps.map((step, i) => (
            <div key={step.step}>
              <Group justify="space-between">
                <Text size="sm">{step.label}</Text>
                <Text size="sm" fw={600}>
                  {step.count}
                  {step.rate_from_previous !== null && i > 0 && (
                    <Text span size="xs" c="dimmed" fw={400}>
                      {' '}
                      ({Math.round(step.rate_from_previous * 100)}% of previous)
                    </Text>
                  )}
                </Text>
              </Group>
              <Progress
                value={(step.rate_from_first ?? (step.count > 0 ? 1 : 0)) * 100}
                color={FUNNEL_COLORS[i] ?? 'gray.5'}
                size="lg"
                aria-label={`${step.label}: ${step.count}`}
              />
            </div>
          ))}
        </Stack>
        <Text size="xs" c="dimmed">
          {d.funnel.lost} lost in the period
        </Text>
      </Panel>
      <ChartPanel
        title="Lead sources"
        figures={{ columns: ['Source', 'Leads', 'Qualified', 'Won'], rows: sources.map((s) => [s.source, s.leads, s.qualified, s.won]) }}
        empty="No leads in the period."
      >
        <BarChart
          h={240}
          data={sources}
          dataKey="source"
          series={[
            { name: 'leads', label: 'Leads', color: 'indigo.5' },
            { name: 'qualified', label: 'Qualified', color: 'teal.5' },
            { name: 'won', label: 'Won', color: 'green.7' },
          ]}
          withLegend
        />
      </ChartPanel>
      <ChartPanel
        title="Call sentiment"
        figures={{ columns: ['Sentiment', 'Calls', 'Share of scored calls'], rows: scored.map((b) => [b.sentiment, b.calls, percent(b.share)]) }}
        empty="No scored calls in the period."
      >
        <DonutChart data={sentiment} withLabels withLabelsLine withTooltip size={180} thickness={28} mx="auto" />
      </ChartPanel>
    </SimpleGrid>
  );
}
