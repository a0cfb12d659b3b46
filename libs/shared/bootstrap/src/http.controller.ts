import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { metricsText, type Metrics } from '@shoal/metrics';
import type { AppContext } from './app-spec';
import { APP_CONTEXT, APP_METRICS } from './tokens';

/** HttpResponse is the part of express's response these handlers use. */
interface HttpResponse {
  status(code: number): HttpResponse;
  type(contentType: string): HttpResponse;
  json(body: unknown): void;
  send(body: string): void;
}

/**
 * HttpController serves the two HTTP endpoints every Shoal process has: `/healthz` (200 while
 * SERVING, 503 otherwise, with the app and version) and `/metrics` (Prometheus text format of
 * the process's own registry).
 */
@Controller()
export class HttpController {
  constructor(
    @Inject(APP_CONTEXT) private readonly ctx: AppContext,
    @Inject(APP_METRICS) private readonly metrics: Metrics,
  ) {}

  /** healthz reports whether this process is serving. */
  @Get('healthz')
  @Header('Cache-Control', 'no-store')
  healthz(@Res() res: HttpResponse): void {
    const status = this.ctx.health.get();
    res.status(status === 'SERVING' ? 200 : 503).json({
      status: status === 'SERVING' ? 'ok' : 'not serving',
      app: this.ctx.app,
      version: this.ctx.version,
    });
  }

  /** metrics renders the process's registry for a Prometheus scrape. */
  @Get('metrics')
  async scrape(@Res() res: HttpResponse): Promise<void> {
    const { contentType, body } = await metricsText(this.metrics);
    res.status(200).type(contentType).send(body);
  }
}
