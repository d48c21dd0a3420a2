import dayjs from 'dayjs';
import relativeTime from 'dayjs/plugin/relativeTime';

dayjs.extend(relativeTime);

export function fromNow(iso: string | null | undefined): string {
  return iso ? dayjs(iso).fromNow() : '';
}

export function dateTime(iso: string | null | undefined): string {
  return iso ? dayjs(iso).format('MMM D, YYYY h:mm A') : '—';
}

export function date(iso: string | null | undefined): string {
  return iso ? dayjs(iso).format('MMM D, YYYY') : '—';
}

const money = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });

export function currency(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : money.format(value);
}

export const BUCKET_COLOR: Record<string, string> = { P1: 'red', P2: 'orange', P3: 'gray' };
export const BUCKET_LABEL: Record<string, string> = { P1: 'P1 · hot', P2: 'P2 · warm', P3: 'P3 · cold' };

/** "sales_qualified" -> "Sales qualified" */
export function humanize(value: string | null | undefined): string {
  if (!value) return '—';
  const text = value.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function leadName(lead: { contact_person: string | null; company_name: string | null; email: string | null; phone: string | null }): string {
  return lead.contact_person ?? lead.company_name ?? lead.email ?? lead.phone ?? 'Unnamed lead';
}
