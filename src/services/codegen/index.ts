import { randomUUID } from 'node:crypto';
import { KubeRagClient } from '../../clients/kuberag/client';
import type { CoreDeps } from '../deps';
import type { TenancyService } from '../tenancy';
import { JobRunner } from './runner';
import { CodegenService } from './service';
import { StatusBus } from './status-bus';
import { WsTickets } from './tickets';
import { SubscriptionHub } from './ws-hub';

export interface CodegenDeps extends CoreDeps {
  tenancy: TenancyService;
}

/** Builds the code-generation gateway and starts its background work (leases, sweeps, pings). */
export function createCodegenServices(deps: CodegenDeps) {
  const { config, db, store, clock, tenancy } = deps;
  const logger = deps.logger.child({ area: 'codegen' });
  const settings = config.codegen;
  const instanceId = randomUUID();
  const kuberag = settings.kuberag
    ? new KubeRagClient({ ...settings.kuberag, clock, logger })
    : undefined;
  const bus = new StatusBus({ store, logger });
  const runner = new JobRunner({ db, bus, kuberag, config: settings, logger, instanceId });
  const hub = new SubscriptionHub({
    db,
    bus,
    logger,
    pingIntervalMs: settings.wsPingIntervalMs,
    resyncIntervalMs: settings.sweepMs,
  });
  const tickets = new WsTickets({ store, ttlSeconds: settings.wsTicketTtlSeconds, clock });
  const jobs = new CodegenService({
    db,
    tenancy,
    runner,
    bus,
    tickets,
    kuberag,
    config: settings,
    logger,
    instanceId,
  });
  runner.start();
  return {
    jobs,
    runner,
    hub,
    async stop() {
      hub.stop();
      await runner.stop();
      await kuberag?.close();
    },
  };
}
