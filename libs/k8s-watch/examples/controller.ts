// A small controller built from @lb/k8s-watch: the README's example, kept working by a test.
// While it leads, it gives each LoadBalancer Service an address from a list.
import { Registry } from 'prom-client';
import {
  connect,
  EventRecorder,
  InformerFactory,
  LeaderElector,
  runWorkers,
  type Service,
  Services,
  splitKey,
  updateStatus,
  WatchMetrics,
  WorkQueue,
} from '@lb/k8s-watch';

export interface ControllerOptions {
  readonly kubeconfig?: string;
  readonly identity: string;
  readonly addresses: string[];
  readonly signal: AbortSignal;
  readonly registry?: Registry;
}

export async function runController(options: ControllerOptions): Promise<void> {
  const registry = options.registry ?? new Registry();
  const metrics = WatchMetrics.for(registry);
  const client = await connect(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}, { observer: metrics.requestObserver() });

  // Caches fill while standing by, so that a new leader starts from a warm cache.
  const informers = new InformerFactory(client, { metrics });
  const services = informers.informer(Services);
  informers.start();
  const events = new EventRecorder({ client, component: 'example-controller', instance: options.identity, observer: metrics.eventRecorder() });

  const reconcile = async (key: string): Promise<void> => {
    const svc = services.cache.get(key);
    if (!svc || svc.spec?.type !== 'LoadBalancer' || svc.status?.loadBalancer?.ingress?.length) return;
    const ip = options.addresses.shift();
    if (!ip) {
      events.event(svc, 'Warning', 'AllocationFailed', 'no addresses left');
      return;
    }
    const { namespace, name } = splitKey(key);
    await updateStatus<NonNullable<Service['status']>, Service>(client, Services, namespace, name, () => ({ loadBalancer: { ingress: [{ ip }] } }), { from: svc });
    events.event(svc, 'Normal', 'IPAllocated', `Assigned IP ["${ip}"]`);
  };

  const elector = new LeaderElector({
    client,
    namespace: 'default',
    name: 'example-controller',
    identity: options.identity,
    // One queue per term: it ends with the term, and the next term starts from the cache.
    onStartedLeading: async (term) => {
      await informers.synced();
      const queue = new WorkQueue<string>({ observer: metrics.queue('services') });
      const enqueue = (s: Service): void => queue.add(`${s.metadata?.namespace}/${s.metadata?.name}`);
      const unsubscribe = services.addHandlers({ onAdd: enqueue, onUpdate: (_old, s) => enqueue(s), onDelete: enqueue });
      term.addEventListener('abort', () => {
        unsubscribe();
        void queue.shutDownNow();
      });
      await runWorkers(queue, { workers: 2, handler: reconcile });
    },
  });
  elector.start();

  await new Promise((resolve) => options.signal.addEventListener('abort', resolve, { once: true }));
  await elector.stop();
  await informers.stop();
  await events.stop();
  client.close();
}
