// One HTTP request over a pool of kept-alive connections, with its answer read whole: the carrier REST client's
// transport and the simulator's webhooks both send this way. node:http rather than fetch or axios: their streams,
// abort signals and header objects cost more CPU per request than the other side spends answering (bench:day).
import http from 'node:http';
import https from 'node:https';

export interface KeepAliveAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface KeepAliveRequest {
  method: string;
  headers: Record<string, string | number>;
  body?: string | Buffer;
  timeoutMs: number;
}

/** A connection pool per protocol; no limit on connections per host, so nothing queues inside the sender. */
export class KeepAlivePool {
  private readonly agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

  /**
   * Sends and reads the answer. A kept-alive connection the other side closed just as it was reused (the request never
   * reached it) is sent once more on a new connection of its own, as Node's documentation advises: the pool's other
   * idle connections may have been closed at the same moment.
   */
  async request(url: URL, req: KeepAliveRequest): Promise<KeepAliveAnswer> {
    if (!(url.protocol in this.agents)) throw new Error(`unsupported protocol ${url.protocol}`);
    try {
      return await this.send(url, req, false);
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { reusedSocket?: boolean };
      if (e.reusedSocket && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) return this.send(url, req, true);
      throw err;
    }
  }

  /** Closes the idle connections (a process that is about to exit). */
  destroy(): void {
    for (const agent of Object.values(this.agents)) agent.destroy();
  }

  private send(url: URL, r: KeepAliveRequest, fresh: boolean): Promise<KeepAliveAnswer> {
    const secure = url.protocol === 'https:';
    const agent = fresh ? false : this.agents[url.protocol as 'http:' | 'https:'];
    return new Promise((resolve, reject) => {
      const req = (secure ? https : http).request(url, { method: r.method, headers: r.headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
      });
      const timer = setTimeout(() => req.destroy(Object.assign(new Error(`timeout of ${r.timeoutMs} ms exceeded`), { code: 'ETIMEDOUT' })), r.timeoutMs);
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(Object.assign(err, { reusedSocket: req.reusedSocket }));
      });
      req.end(r.body);
    });
  }
}
