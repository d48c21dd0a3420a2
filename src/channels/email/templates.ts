import { z } from 'zod';

/**
 * The emails Clara sends: each template has a strict schema for its data (the API validates
 * with it too), a plain-text body and a simple HTML body. Every value placed in the HTML is
 * escaped: names and tiers come from prospects typing into a landing page.
 */

export const EMAIL_TEMPLATES = ['booking_confirmation', 'roi_report'] as const;
export type EmailTemplate = (typeof EMAIL_TEMPLATES)[number];

const httpUrl = z
  .url()
  .max(2000)
  .refine((url) => /^https?:\/\//i.test(url), 'must be an http(s) URL');

export const bookingConfirmationData = z
  .object({
    name: z.string().trim().min(1).max(200).optional().describe("The recipient's name, for the greeting"),
    title: z.string().trim().min(1).max(300).default('demo').describe('What was booked, e.g. "product demo"'),
    start_time: z.iso.datetime({ offset: true }).describe('When it starts (ISO 8601)'),
    end_time: z.iso.datetime({ offset: true }).optional(),
    time_zone: z
      .string()
      .max(100)
      .refine(isTimeZone, 'must be an IANA time zone such as Europe/Paris')
      .optional()
      .describe("The recipient's time zone; default: Clara's (CLARA_TIMEZONE)"),
    meeting_url: httpUrl.optional().describe('Where to join'),
    manage_url: httpUrl.optional().describe('Where to reschedule or cancel'),
    company_name: z.string().trim().min(1).max(200).optional().describe("Who the booking is with; default: the agent settings' company"),
  })
  .strict()
  .meta({ id: 'BookingConfirmationData' });

export const roiReportData = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    tier: z.string().trim().min(1).max(100).describe('The plan or tier the calculation was for'),
    roi_percent: z.number().finite().min(-100).max(1_000_000),
    currency: z.string().regex(/^[A-Z]{3}$/).default('USD'),
    monthly_savings: z.number().finite().optional(),
    annual_savings: z.number().finite().optional(),
    payback_months: z.number().finite().min(0).max(1200).optional(),
    report_url: httpUrl.optional().describe('The full report online'),
    booking_url: httpUrl.optional().describe('Where to book a demo'),
    company_name: z.string().trim().min(1).max(200).optional(),
  })
  .strict()
  .meta({ id: 'RoiReportData' });

export type BookingConfirmationData = z.input<typeof bookingConfirmationData>;
export type RoiReportData = z.input<typeof roiReportData>;

export interface RenderContext {
  /** Wraps a destination in a tracked link (or returns it unchanged when tracking is off). */
  link: (url: string) => string;
  /** The open pixel's URL; none: no pixel. */
  pixelUrl?: string;
  /** Used when the data names no company. */
  companyName: string;
  /** Used when the data names no time zone. */
  timeZone: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
  /** One line for the lead's timeline (seed 003 section 2.2). */
  summary: string;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Header values must stay one line: a newline in a name would start a new header. */
function oneLine(value: string): string {
  return value.replace(/[\r\n\t]+/g, ' ').trim();
}

interface Block {
  /** Paragraphs of plain text (escaped for HTML). */
  paragraphs: string[];
  /** Label: value lines. */
  facts: [string, string][];
  /** Buttons: label and destination. */
  links: [string, string][];
}

function layout(subject: string, greeting: string, block: Block, signature: string, context: RenderContext): { text: string; html: string } {
  const tracked = block.links.map(([label, url]) => [label, context.link(url)] as const);
  const text = [
    greeting,
    '',
    ...block.paragraphs.flatMap((p) => [p, '']),
    ...block.facts.map(([label, value]) => `${label}: ${value}`),
    ...(block.facts.length ? [''] : []),
    ...tracked.flatMap(([label, url]) => [`${label}: ${url}`]),
    ...(tracked.length ? [''] : []),
    signature,
    '',
  ].join('\n');
  const html = [
    '<!doctype html>',
    `<html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#222">',
    `<p>${escapeHtml(greeting)}</p>`,
    ...block.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    ...(block.facts.length
      ? [
          '<table role="presentation" cellpadding="4">',
          ...block.facts.map(([label, value]) => `<tr><td><strong>${escapeHtml(label)}</strong></td><td>${escapeHtml(value)}</td></tr>`),
          '</table>',
        ]
      : []),
    ...tracked.map(([label, url]) => `<p><a href="${escapeHtml(url)}">${escapeHtml(label)}</a></p>`),
    `<p>${signature.split('\n').map(escapeHtml).join('<br>')}</p>`,
    ...(context.pixelUrl ? [`<img src="${escapeHtml(context.pixelUrl)}" width="1" height="1" alt="" style="display:block;border:0">`] : []),
    '</body></html>',
    '',
  ].join('\n');
  return { text, html };
}

function formatMoney(amount: number, currency: string): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumFractionDigits: 0 }).format(amount);
}

function formatPercent(value: number): string {
  return new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 }).format(value);
}

export function renderBookingConfirmation(input: BookingConfirmationData, context: RenderContext): RenderedEmail {
  const data = bookingConfirmationData.parse(input);
  const timeZone = data.time_zone ?? context.timeZone;
  const start = new Date(data.start_time);
  const date = new Intl.DateTimeFormat('en-US', { dateStyle: 'full', timeZone }).format(start);
  const time = new Intl.DateTimeFormat('en-US', { timeStyle: 'short', timeZone }).format(start);
  const zoneName =
    new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'short' }).formatToParts(start).find((part) => part.type === 'timeZoneName')
      ?.value ?? timeZone;
  const company = data.company_name ?? context.companyName;
  const title = oneLine(data.title);
  const subject = oneLine(`Your ${title} is confirmed: ${date} at ${time}`);
  const facts: [string, string][] = [
    ['What', title],
    ['When', `${date} at ${time} (${zoneName})`],
  ];
  if (data.end_time) {
    const minutes = Math.round((new Date(data.end_time).getTime() - start.getTime()) / 60_000);
    if (minutes > 0) facts.push(['Duration', `${minutes} minutes`]);
  }
  const links: [string, string][] = [];
  if (data.meeting_url) links.push(['Join the meeting', data.meeting_url]);
  if (data.manage_url) links.push(['Reschedule or cancel', data.manage_url]);
  const body = layout(
    subject,
    data.name ? `Hi ${oneLine(data.name)},` : 'Hi,',
    { paragraphs: [`Thanks for booking a ${title} with ${company}. Here are the details:`], facts, links },
    `See you then,\n${company}`,
    context,
  );
  return { subject, ...body, summary: `${date} at ${time}` };
}

export function renderRoiReport(input: RoiReportData, context: RenderContext): RenderedEmail {
  const data = roiReportData.parse(input);
  const company = data.company_name ?? context.companyName;
  const tier = oneLine(data.tier);
  const roi = formatPercent(data.roi_percent);
  const subject = oneLine(`Your ROI report: ${roi}% return on the ${tier} plan`);
  const facts: [string, string][] = [
    ['Plan', tier],
    ['Return on investment', `${roi}%`],
  ];
  if (data.monthly_savings !== undefined) facts.push(['Monthly savings', formatMoney(data.monthly_savings, data.currency)]);
  if (data.annual_savings !== undefined) facts.push(['Annual savings', formatMoney(data.annual_savings, data.currency)]);
  if (data.payback_months !== undefined) facts.push(['Payback', `${formatPercent(data.payback_months)} months`]);
  const links: [string, string][] = [];
  if (data.report_url) links.push(['See the full report', data.report_url]);
  if (data.booking_url) links.push(['Book a demo', data.booking_url]);
  const body = layout(
    subject,
    data.name ? `Hi ${oneLine(data.name)},` : 'Hi,',
    { paragraphs: [`Here is the ROI estimate you calculated with ${company}.`], facts, links },
    `Best regards,\n${company}`,
    context,
  );
  return { subject, ...body, summary: `${tier} tier, ${roi}% ROI` };
}
