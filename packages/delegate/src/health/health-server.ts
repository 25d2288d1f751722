import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { HostPort } from '../config/delegate-config.js';

/** Readiness: registered with the manager and connected to NATS; each false check is named in the reply. */
export type ReadinessCheck = () => Record<string, boolean>;

/** HTTP server of /healthz (the process runs), /readyz (registered and NATS connected) and /metrics (Prometheus text). */
export class HealthServer {
  private readonly server: Server;

  constructor(private readonly registry: Registry, private readonly readiness: ReadinessCheck) {
    this.server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (url.pathname === '/healthz') {
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      } else if (url.pathname === '/readyz') {
        const checks = this.readiness();
        const ready = Object.values(checks).every(Boolean);
        response.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' }).end(`${JSON.stringify({ ready, checks })}\n`);
      } else if (url.pathname === '/metrics') {
        this.registry.metrics().then(
          (text) => response.writeHead(200, { 'content-type': this.registry.contentType }).end(text),
          (error: unknown) => response.writeHead(500).end(`metrics failed: ${String(error)}\n`),
        );
      } else {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: use /healthz, /readyz or /metrics\n');
      }
    });
  }

  /** Starts listening; port 0 picks a free port. Returns the bound address. */
  listen(address: HostPort): Promise<HostPort> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(address.port, address.host, () => {
        this.server.off('error', reject);
        const bound = this.server.address() as AddressInfo;
        resolve({ host: bound.address, port: bound.port });
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}
