import { webhookDeliveryJob, webhookRetention } from '../channels/webhooks/deliver-webhook.js';
import type { Config } from '../config/config.js';
import { mergeCallDays, mergeMeetingDays } from '../crm/analytics/merge-call-meeting-days.js';
import { mergeEmailDays } from '../crm/analytics/merge-email-days.js';
import { mergeLeadDays } from '../crm/analytics/merge-lead-days.js';
import { JobRegistry } from './job-registry.js';

/**
 * Every job type Clara runs, for the in-process worker and `clara worker` alike. A slice that
 * needs background work defines its JobDefinition beside its code and adds it here.
 */
export function createJobRegistry(config: Config): JobRegistry {
  return new JobRegistry()
    .define(webhookDeliveryJob(config.webhooks))
    .cleanup(webhookRetention(config.webhooks))
    .cleanup(mergeLeadDays)
    .cleanup(mergeCallDays)
    .cleanup(mergeMeetingDays)
    .cleanup(mergeEmailDays);
}
