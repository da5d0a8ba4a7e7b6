// Prometheus text exposition (format 0.0.4) of an observer snapshot.
import { invalidArg } from '../common/args.js';
import type { ObserverSnapshot } from './observer.js';

function line(name: string, value: number | bigint, labels: Record<string, string | number> = {}): string {
  const entries = Object.entries(labels);
  const rendered = entries.length === 0 ? '' : `{${entries.map(([k, v]) => `${k}="${String(v).replace(/["\\\n]/g, '\\$&')}"`).join(',')}}`;
  return `${name}${rendered} ${String(value)}`;
}

export function renderPrometheus(s: ObserverSnapshot): string {
  if (
    typeof s !== 'object' ||
    s === null ||
    typeof s.counters?.decodeErrors !== 'object' ||
    s.counters.decodeErrors === null ||
    !Array.isArray(s.agents)
  ) {
    throw invalidArg('snapshot', 'an observer snapshot', s);
  }
  const out: string[] = [];
  const metric = (name: string, type: 'counter' | 'gauge', help: string, lines: string[]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines);
  };
  // Most metrics are one unlabelled counter.
  const counter = (name: string, help: string, value: number) => metric(name, 'counter', help, [line(name, value)]);
  const c = s.counters;
  counter('hostwire_vlp_datagrams_total', 'Datagrams received on the observer socket.', c.datagrams);
  counter('hostwire_vlp_frames_accepted_total', 'Frames decoded, authenticated and in nonce order.', c.accepted);
  metric(
    'hostwire_vlp_decode_errors_total',
    'counter',
    'Datagrams rejected by the VLP decoder, by kind.',
    Object.entries(c.decodeErrors).map(([kind, n]) => line('hostwire_vlp_decode_errors_total', n, { kind })),
  );
  counter('hostwire_vlp_auth_failures_total', 'Frames whose pid differs from the kernel-attested sender.', c.authFailures);
  counter('hostwire_vlp_uid_rejected_total', 'Datagrams from a sender whose uid is not allowed.', c.uidRejected);
  counter('hostwire_vlp_nonce_rejected_total', 'Frames repeating the last nonce (replays).', c.nonceRejected);
  counter(
    'hostwire_vlp_restart_rejected_total',
    'Frames restarting a sequence (after terminal, or nonce back outside the wrap window) from the same process.',
    c.restartRejected,
  );
  counter('hostwire_vlp_pid_reuses_total', 'New processes seen behind a tracked pid (start time changed).', c.pidReuses);
  counter(
    'hostwire_vlp_capacity_refused_total',
    'Frames from new agents refused because maxAgents live agents were tracked.',
    c.capacityRefused,
  );
  counter('hostwire_vlp_stalls_total', 'Stalls synthesized.', c.stalls);
  counter('hostwire_vlp_recoveries_total', 'Stalled agents that beat again.', c.recoveries);
  counter('hostwire_vlp_terminals_total', 'Terminal (Critical + NONCE_TERMINAL) frames.', c.terminals);
  counter('hostwire_vlp_evictions_total', 'Terminal or long-silent agents evicted to make room at maxAgents.', c.evictions);
  metric('hostwire_vlp_agents', 'gauge', 'Agents tracked.', [line('hostwire_vlp_agents', s.agents.length)]);
  const statusCode = { ok: 0, degraded: 1, critical: 2, stall: 3 } as const;
  metric(
    'hostwire_vlp_agent_status',
    'gauge',
    'Last status per agent: 0 ok, 1 degraded, 2 critical, 3 stalled.',
    s.agents.map((a) => line('hostwire_vlp_agent_status', a.stalled ? 3 : statusCode[a.status], { pid: a.pid })),
  );
  metric(
    'hostwire_vlp_agent_silent_seconds',
    'gauge',
    'Seconds since the agent was last heard.',
    s.agents.map((a) => line('hostwire_vlp_agent_silent_seconds', Number((a.silentForMs / 1000).toFixed(3)), { pid: a.pid })),
  );
  metric(
    'hostwire_vlp_agent_payload',
    'gauge',
    'Last payload per agent.',
    s.agents.map((a) => line('hostwire_vlp_agent_payload', a.payload, { pid: a.pid })),
  );
  return `${out.join('\n')}\n`;
}
