// Checks the installed package on the Node it runs under (the arm64 check
// runs it under an emulated arm64 Node, from a project that installed the
// packed tarball): one line per check, then "N passed, N failed".
//   node checks.mjs <vlp-test-vectors.json> <netns name>
// One process only: without binfmt_misc an emulated Node cannot start
// arm64 children, so every check runs in this process.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import {
  crc32c,
  crc32cImplementation,
  crc32cTable,
  decodeFrame,
  DgramReceiver,
  DgramSender,
  encodeFrame,
  HeartbeatAgent,
  HeartbeatObserver,
  HOSTWIRE_ROUTE_PROTOCOL,
  MachineStore,
  Netlink,
  referenceCrc32c,
  STATUS_NAMES,
  VlpDecodeError,
} from 'hostwire';

const [vectorsPath, netns] = process.argv.slice(2);
if (!vectorsPath || !netns) {
  console.error('usage: checks.mjs <vlp-test-vectors.json> <netns name>');
  process.exit(2);
}

const work = mkdtempSync(path.join(os.tmpdir(), 'hostwire-arm64-'));
const results = [];

async function check(name, fn) {
  try {
    const detail = await fn();
    results.push(true);
    console.log(`ok    ${name}${detail ? ` — ${detail}` : ''}`);
  } catch (err) {
    results.push(false);
    console.log(`FAIL  ${name} — ${err?.stack ?? err}`);
  }
}

function within(ms, what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** JSON.parse loses integers above 2^53: quote long literals first, then read them as BigInt. */
function loadVectors(file) {
  const text = readFileSync(file, 'utf8').replace(/(:\s*)(\d{16,})(?=\s*[,}\]])/g, '$1"$2"');
  return JSON.parse(text, (key, value) => (['pid', 'timestamp', 'nonce', 'payload'].includes(key) ? BigInt(value) : value));
}

const hex = (h) => Buffer.from(h, 'hex');
const crcHex = (n) => n.toString(16).padStart(8, '0');
const require = createRequire(import.meta.url);
const packageDir = path.dirname(require.resolve('hostwire/package.json'));

await check('runs on arm64 and loads prebuilds/linux-arm64 (no build/ in the installed package)', () => {
  assert.equal(process.arch, 'arm64');
  const loaded = require('node-gyp-build').resolve(packageDir);
  assert.equal(path.relative(packageDir, loaded), path.join('prebuilds', 'linux-arm64', 'hostwire.node'));
  assert.equal(existsSync(path.join(packageDir, 'build')), false);
  return `${process.version} ${process.arch}, ${path.relative(packageDir, loaded)}`;
});

const vectors = loadVectors(vectorsPath);

await check('CRC-32C: the ARMv8 CRC32 instructions are chosen at run time', () => {
  // qemu's arm64 CPU models all report HWCAP_CRC32, so the table fallback is
  // never chosen here; crc32cTable below still checks the table itself.
  assert.equal(crc32cImplementation, 'armv8-crc');
  return crc32cImplementation;
});

await check(`CRC-32C: ${vectors.crc32c_vectors.length} conformance vectors, hardware and table`, () => {
  assert.equal(vectors.crc32c_vectors.length, 5);
  for (const v of vectors.crc32c_vectors) {
    assert.equal(crcHex(crc32c(hex(v.input_hex))), v.expected_crc_hex, `${v.id} (hardware)`);
    assert.equal(crcHex(crc32cTable(hex(v.input_hex))), v.expected_crc_hex, `${v.id} (table)`);
  }
});

await check('CRC-32C: hardware = table = TypeScript reference for lengths 0..200 at every alignment 0..7', () => {
  const bytes = Buffer.alloc(208);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + 7) & 0xff;
  let compared = 0;
  for (let offset = 0; offset < 8; offset++) {
    for (let length = 0; length <= 200; length++) {
      const slice = bytes.subarray(offset, offset + length);
      const expected = referenceCrc32c(slice);
      assert.equal(crc32c(slice), expected, `hardware, offset ${offset} length ${length}`);
      assert.equal(crc32cTable(slice), expected, `table, offset ${offset} length ${length}`);
      compared++;
    }
  }
  return `${compared} buffers`;
});

function frameOf(inputs) {
  return {
    version: 2,
    status: STATUS_NAMES.indexOf(inputs.status),
    pid: Number(inputs.pid),
    timestamp: inputs.timestamp,
    nonce: inputs.nonce,
    payload: inputs.payload,
  };
}

await check('VLP frames: conformance vectors through the native codec (byte-exact encode, decode, decode errors)', () => {
  const roundtrips = vectors.frame_vectors.filter((v) => v.kind === 'encode_decode_roundtrip');
  const errors = vectors.frame_vectors.filter((v) => v.kind === 'decode_error');
  assert.equal(roundtrips.length + errors.length, 15);
  for (const v of roundtrips) {
    const frame = frameOf(v.inputs);
    assert.equal(encodeFrame(frame).toString('hex'), v.expected_wire_hex, v.id);
    assert.deepEqual(decodeFrame(hex(v.expected_wire_hex), { strictV2: true }), frame, v.id);
  }
  for (const v of errors) {
    const wire = hex(v.wire_hex);
    assert.throws(
      () => decodeFrame(wire, { strictV2: true }),
      (err) => err instanceof VlpDecodeError && err.kind === v.expected_decode_error,
      v.id,
    );
  }
  return `${roundtrips.length} round trips, ${errors.length} decode errors`;
});

await check('heartbeat: Agent → Observer over a Unix datagram socket, 5 beats accepted with kernel-attested pid/uid', async () => {
  const sock = path.join(work, 'observer.sock');
  const observer = HeartbeatObserver.listen(sock, { stallAfterMs: 60_000 });
  const agent = HeartbeatAgent.connect(sock);
  try {
    for (let i = 0; i < 5; i++) assert.equal(agent.beat('ok', i).ok, true, `beat ${i + 1}`);
    await within(
      5000,
      'five beats',
      (async () => {
        while (observer.counters.accepted < 5) await new Promise((r) => setTimeout(r, 10));
      })(),
    );
    assert.equal(observer.counters.accepted, 5);
    assert.equal(observer.counters.authFailures, 0);
    assert.equal(observer.counters.nonceRejected, 0);
    const [seen] = observer.snapshot().agents;
    assert.equal(seen.pid, process.pid);
    assert.equal(seen.uid, process.getuid());
    assert.equal(seen.nonce, 5n);
    assert.equal(seen.beats, 5);
    assert.equal(seen.payload, 4n);
    return `accepted ${observer.counters.accepted}, pid ${seen.pid}`;
  } finally {
    agent.close();
    observer.close();
  }
});

await check('dgram: send/receive a datagram with SO_PASSCRED credentials (pid, uid, gid)', async () => {
  const sock = path.join(work, 'dgram.sock');
  const receiver = DgramReceiver.listen(sock, { credentials: true });
  const sender = DgramSender.connect(sock);
  try {
    const arrived = once(receiver, 'message');
    const outcome = sender.send(Buffer.from('arm64 datagram'));
    assert.equal(outcome.ok, true, outcome.label);
    const [data, info] = await within(5000, 'the datagram', arrived);
    assert.equal(data.toString(), 'arm64 datagram');
    assert.deepEqual([info.pid, info.uid, info.gid], [process.pid, process.getuid(), process.getgid()]);
    assert.equal(info.truncated, false);
    return `pid ${info.pid} uid ${info.uid} gid ${info.gid}`;
  } finally {
    sender.close();
    receiver.close();
  }
});

await check(`netlink: route add/list/delete in network namespace ${netns} (netns option), host untouched`, () => {
  const dst = '10.213.0.0';
  const nl = Netlink.open({ netns });
  const host = Netlink.open();
  const ipRoutes = () =>
    JSON.parse(execFileSync('ip', ['-n', netns, '-j', 'route', 'show', 'table', 'main'], { encoding: 'utf8' }) || '[]');
  try {
    assert.equal(nl.netns, `/run/netns/${netns}`);
    const links = nl.listLinks();
    const lo = links.find((l) => l.name === 'lo');
    const br = links.find((l) => l.name === 'hwarm0');
    assert.ok(lo && br, `links lo and hwarm0 in ${netns}: got ${links.map((l) => l.name).join(', ')}`);
    assert.equal(host.linkByName('hwarm0'), null, 'hwarm0 is not in the host namespace');

    nl.addRoute({ dst, prefix: 16, oif: br.index, protocol: 'hostwire' });
    const route = nl.getRoute(dst, 16);
    assert.ok(route, 'getRoute finds the new route');
    assert.deepEqual([route.dst, route.prefix, route.oif, route.protocol], [dst, 16, br.index, HOSTWIRE_ROUTE_PROTOCOL]);
    assert.ok(
      nl.listRoutes().some((r) => r.dst === dst && r.prefix === 16),
      'listRoutes lists it',
    );
    // What the kernel holds, as iproute2 (run natively) sees it in that namespace.
    assert.ok(
      ipRoutes().some((r) => r.dst === `${dst}/16` && r.dev === 'hwarm0'),
      'ip route shows it',
    );
    assert.equal(host.getRoute(dst, 16), null, 'not in the host namespace');

    const outcome = nl.removeRoute({ dst, prefix: 16 });
    assert.equal(outcome, 'removed');
    assert.equal(nl.getRoute(dst, 16), null);
    assert.ok(!ipRoutes().some((r) => r.dst === `${dst}/16`), 'ip route no longer shows it');
    return `${links.length} links, route ${dst}/16 dev hwarm0 added, listed, deleted`;
  } finally {
    nl.close();
    host.close();
  }
});

await check('machines: MachineStore writes a TOML config under flock and reads it back', async () => {
  const store = await MachineStore.open(path.join(work, 'machines'), { durable: true });
  try {
    const created = await store.create({ name: 'arm', cpus: 2, memoryMb: 1024, diskGb: 8, ipAddress: '172.16.0.9' });
    const file = store.configPath('arm');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.match(readFileSync(file, 'utf8'), /ip_address = "172\.16\.0\.9"/);
    assert.deepEqual(await store.list(), ['arm']);
    assert.deepEqual((await store.load('arm')).config, created);
    const updated = await store.update('arm', (c) => ({ ...c, cpus: 4 }));
    assert.equal((await store.load('arm')).config.cpus, 4);
    assert.equal(updated.cpus, 4);
    await store.remove('arm');
    assert.deepEqual(await store.list(), []);
    return `created, listed, loaded, updated, removed (${path.basename(file)})`;
  } finally {
    await store.close();
  }
});

rmSync(work, { recursive: true, force: true });
const passed = results.filter(Boolean).length;
const failed = results.length - passed;
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
