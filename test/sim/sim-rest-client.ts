// The real twilio REST client, pointed at the carrier simulator by rewriting each request's base URL.
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';

class SimRequestClient extends twilio.RequestClient {
  constructor(private readonly base: string) {
    super();
  }
  request<T>(opts: RequestClient.RequestOptions<T>) {
    const u = new URL(opts.uri);
    return super.request<T>({ ...opts, uri: this.base + u.pathname + u.search });
  }
}

export function simRestClient(baseUrl: string, username: string, password: string, accountSid?: string): twilio.Twilio {
  return twilio(username, password, { accountSid, httpClient: new SimRequestClient(baseUrl) });
}
