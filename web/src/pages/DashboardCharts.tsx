import '@mantine/charts/styles.css';
import { AreaChart, BarChart, DonutChart } from '@mantine/charts';
import { Group, Paper, Progress, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { Dashboard } from './DashboardPage';

const FUNNEL_COLORS = ['indigo.3', 'indigo.4', 'indigo.5', 'indigo.6', 'teal.6'];
const SENTIMENT_COLORS = { positive: 'teal.6', neutral: 'gray.5', negative: 'red.6' } as const;

function Panel({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Paper withBorder p="md" component="section" aria-label={title}>
      <Title order={2} size="h4" mb="sm">
        {title}
      </Title>
      {children}
    </Paper>
  );
}

export default function DashboardCharts({ dashboard: d }: { dashboard: Dashboard }) {
  const sources = d.sources.sources.map((s) => ({ source: s.source ?? 'unknown', leads: s.leads, qualified: s.qualified, won: s.won }));
  if (d.sources.other.leads > 0) sources.push({ source: `${d.sources.other.sources} others`, leads: d.sources.other.leads, qualified: 0, won: 0 });
  const sentiment = d.sentiment.breakdown.filter((b) => b.calls > 0).map((b) => ({ name: b.sentiment, value: b.calls, color: SENTIMENT_COLORS[b.sentiment] }));
  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }}>
      <Panel title="Leads over time">
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
      </Panel>
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
      <Panel title="Lead sources">
        {sources.length === 0 ? (
          <Text size="sm" c="dimmed">
            No leads in the period.
          </Text>
        ) : (
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
        )}
      </Panel>
      <Panel title="Call sentiment">
        {sentiment.length === 0 ? (
          <Text size="sm" c="dimmed">
            No scored calls in the period.
          </Text>
        ) : (
          <DonutChart data={sentiment} withLabels withLabelsLine withTooltip size={180} thickness={28} mx="auto" />
        )}
      </Panel>
    </SimpleGrid>
  );
}
