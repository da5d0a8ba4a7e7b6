// Numbers at the agent's boundary: status and payload are checked where the
// addon reads them, so none wraps into a valid-looking beat. Each refused call
// is followed by a sentinel beat, which must be the first datagram to arrive.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DgramReceiver, type DatagramInfo } from '../../src/dgram/index.js';
import { Agent } from '../../src/heartbeat/index.js';
import { decodeFrame, Status, type VlpVersion } from '../../src/vlp/index.js';
import { tempDir } from '../helpers/tmp.js';

type Case = readonly [label: string, code: string, value: unknown];

const OUT_OF_RANGE = 'ERR_OUT_OF_RANGE';
const WRONG_TYPE = 'ERR_INVALID_ARG_TYPE';

// Neither a u8 status nor a u32 payload: each once wrapped or truncated to a valid value.
const beyondU32: Case[] = [
  ['2**32', OUT_OF_RANGE, 2 ** 32],
  ['2**32+1', OUT_OF_RANGE, 2 ** 32 + 1],
  ['-1', OUT_OF_RANGE, -1],
  ['NaN', OUT_OF_RANGE, NaN],
  ['Infinity', OUT_OF_RANGE, Infinity],
  ['-Infinity', OUT_OF_RANGE, -Infinity],
  ['1.5', OUT_OF_RANGE, 1.5],
  ['2**53', OUT_OF_RANGE, 2 ** 53],
  ['2**64', OUT_OF_RANGE, 2 ** 64],
];
const notNumbers: Case[] = [
  ['1n', WRONG_TYPE, 1n],
  ['null', WRONG_TYPE, null],
  ['true', WRONG_TYPE, true],
  ['{}', WRONG_TYPE, {}],
];

function nextMessage(receiver: DgramReceiver): Promise<[Buffer, DatagramInfo]> {
  return new Promise((resolve) => receiver.once('message', (data, info) => resolve([data, info])));
}

/** Runs `refused` on a fresh agent, then proves it sent nothing: the next beat is the first frame to arrive, with nonce 1. */
async function expectNothingSent(version: VlpVersion, refused: (agent: Agent) => void): Promise<void> {
  const sock = path.join(tempDir(), 'agent-args.sock');
  using receiver = DgramReceiver.listen(sock);
  const arrived = nextMessage(receiver);
  using agent = Agent.connect(sock, { version });
  refused(agent);
  expect(agent.nonce).toBe(1n);
  expect(agent.stats).toMatchObject({ sent: 0, dropped: 0, failed: 0 });
  expect(agent.beat(Status.Degraded, 7).ok).toBe(true);
  const frame = decodeFrame((await arrived)[0]);
  expect(frame).toMatchObject({ version, status: Status.Degraded, nonce: 1n, payload: 7n });
}

describe('Agent.beat(status)', () => {
  it.each<Case>([
    ...beyondU32,
    ['256', OUT_OF_RANGE, 256],
    ...notNumbers,
    // In range for the frame's u8 but not a status a process may send.
    ['3 (Stall)', 'ERR_VLP_INVALID_STATUS', 3],
    ['255', 'ERR_VLP_INVALID_STATUS', 255],
    ['"1" (a name, not a code)', 'ERR_VLP_INVALID_STATUS', '1'],
  ])('%s is %s and sends nothing', async (_label, code, value) => {
    await expectNothingSent(2, (agent) => {
      expect(() => agent.beat(value as never)).toThrow(expect.objectContaining({ code }));
    });
  });

  it('names the argument and the range', async () => {
    await expectNothingSent(2, (agent) => {
      expect(() => agent.beat((2 ** 32) as never)).toThrow(
        expect.objectContaining({
          name: 'RangeError',
          message: 'The "status" argument must be an integer >= 0 and <= 255; received 4294967296',
        }),
      );
    });
  });
});

describe.each<[VlpVersion, Case[]]>([
  [2, [...beyondU32, ...notNumbers, ['"1"', WRONG_TYPE, '1'] as Case]],
  [
    1,
    [
      ['-1', OUT_OF_RANGE, -1],
      ['NaN', OUT_OF_RANGE, NaN],
      ['Infinity', OUT_OF_RANGE, Infinity],
      ['1.5', OUT_OF_RANGE, 1.5],
      ['2**53 (not a safe integer)', OUT_OF_RANGE, 2 ** 53],
      ['2**64', OUT_OF_RANGE, 2 ** 64],
      ...notNumbers,
      ['"1"', WRONG_TYPE, '1'],
    ] as Case[],
  ],
])('VLP v0.%i payloads', (version, cases) => {
  it.each(cases)('beat(Ok, %s) is %s and sends nothing', async (_label, code, value) => {
    await expectNothingSent(version, (agent) => {
      expect(() => agent.beat(Status.Ok, value as number)).toThrow(expect.objectContaining({ code }));
    });
  });

  it.each(cases)('terminal(%s) is %s and sends nothing', async (_label, code, value) => {
    await expectNothingSent(version, (agent) => {
      expect(() => agent.terminal(value as number)).toThrow(
        expect.objectContaining({ code, message: expect.stringContaining('"payload"') }),
      );
    });
  });
});

describe('the largest payloads are sent as given', () => {
  it.each<[VlpVersion, number]>([
    [2, 2 ** 32 - 1],
    [1, Number.MAX_SAFE_INTEGER],
  ])('v0.%i: terminal(%i) arrives intact', async (version, payload) => {
    const sock = path.join(tempDir(), 'agent-max.sock');
    using receiver = DgramReceiver.listen(sock);
    const arrived = nextMessage(receiver);
    using agent = Agent.connect(sock, { version });
    expect(agent.terminal(payload).ok).toBe(true);
    expect(decodeFrame((await arrived)[0])).toMatchObject({ status: Status.Critical, payload: BigInt(payload) });
  });
});

describe('Agent.connect options and setNextNonce', () => {
  it('refuse bad numbers with a code, before any socket is made', () => {
    const sock = path.join(tempDir(), 'never.sock');
    expect(() => Agent.connect(sock, { version: 3 as VlpVersion })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    expect(() => Agent.connect(sock, { version: '2' as unknown as VlpVersion })).toThrow(expect.objectContaining({ code: WRONG_TYPE }));
    expect(() => Agent.connect(sock, { reconnectAfter: 1.5 })).toThrow(expect.objectContaining({ code: OUT_OF_RANGE }));
    expect(() => Agent.connect(sock, { reconnectAfter: -1 })).toThrow(expect.objectContaining({ code: OUT_OF_RANGE }));
    expect(() => Agent.connect(sock, { reconnectAfter: NaN })).toThrow(expect.objectContaining({ code: OUT_OF_RANGE }));
  });

  it('setNextNonce takes a BigInt only', () => {
    const sock = path.join(tempDir(), 'nonce.sock');
    using agent = Agent.connect(sock);
    expect(() => agent.setNextNonce(5 as unknown as bigint)).toThrow(expect.objectContaining({ code: WRONG_TYPE }));
    expect(() => agent.setNextNonce(-1n)).toThrow(expect.objectContaining({ code: OUT_OF_RANGE }));
    expect(() => agent.setNextNonce(2n ** 64n)).toThrow(expect.objectContaining({ code: OUT_OF_RANGE }));
    expect(agent.nonce).toBe(1n);
    agent.setNextNonce(41n);
    expect(agent.nonce).toBe(41n);
  });
});
