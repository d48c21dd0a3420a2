import twilio from 'twilio';
import type { TwilioConfig } from './config.js';
import { TwilioNotConfiguredError } from './signature.js';

type RequestOptions = Parameters<InstanceType<typeof twilio.RequestClient>['request']>[0];

/**
 * The official client's HTTP layer, sending every request to another origin with the same path:
 * tests point TWILIO_API_BASE_URL at a local server speaking Twilio's REST protocol.
 */
class RebasedRequestClient extends twilio.RequestClient {
  constructor(private readonly base: URL) {
    super();
  }

  override request<TData>(opts: RequestOptions & { data?: TData }) {
    const target = new URL(opts.uri);
    target.protocol = this.base.protocol;
    target.host = this.base.host;
    return super.request<TData>({ ...opts, uri: target.toString() });
  }
}

export type TwilioRestClient = ReturnType<typeof twilio>;

/** The REST client for Clara's own requests to Twilio (placing calls, recordings). */
export function createTwilioClient(config: TwilioConfig): TwilioRestClient {
  if (!config.accountSid || !config.authToken) throw new TwilioNotConfiguredError('TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN');
  return twilio(config.accountSid, config.authToken, {
    ...(config.apiBaseUrl ? { httpClient: new RebasedRequestClient(new URL(config.apiBaseUrl)) } : {}),
  });
}
