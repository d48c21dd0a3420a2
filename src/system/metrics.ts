import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  /** The optional language model's steps that gave the rules' answer instead, and why. */
  llmFallbacks: Counter<'step' | 'reason'>;
}

function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'clara_' });
  const httpDuration = new Histogram({
    name: 'clara_http_request_duration_seconds',
    help: 'HTTP request duration by route template',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const llmFallbacks = new Counter({
    name: 'clara_llm_fallbacks_total',
    help: 'Language-model steps (propose, phrase) that fell back to the rules, by reason',
    labelNames: ['step', 'reason'] as const,
    registers: [registry],
  });
  return { registry, httpDuration, llmFallbacks };
}

const metricsByApp = new WeakMap<object, Metrics>();

/** One set of metrics per app, shared by the route modules that record into it (tests build many apps in one process). */
export function metricsOf(app: object): Metrics {
  let metrics = metricsByApp.get(app);
  if (!metrics) {
    metrics = createMetrics();
    metricsByApp.set(app, metrics);
  }
  return metrics;
}
