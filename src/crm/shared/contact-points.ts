import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { UnprocessableError } from '../../server/errors.js';

/** A phone number in E.164, the one form stored, so that matching by phone is an equality. */
export function toE164(raw: string, defaultCountry: string): string | undefined {
  const parsed = parsePhoneNumberFromString(raw, defaultCountry as CountryCode);
  return parsed?.isValid() ? parsed.number : undefined;
}

export function normalizePhone(raw: string | null | undefined, defaultCountry: string): string | null | undefined {
  if (raw === null || raw === undefined) return raw;
  if (raw.trim() === '') return null;
  const phone = toE164(raw, defaultCountry);
  if (!phone) throw new UnprocessableError('invalid_phone', `"${raw}" is not a valid phone number`);
  return phone;
}

export function normalizeEmail(raw: string | null | undefined): string | null | undefined {
  if (raw === null || raw === undefined) return raw;
  const email = raw.trim().toLowerCase();
  return email === '' ? null : email;
}
