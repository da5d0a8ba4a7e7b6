import { once } from 'node:events';
import { startFixture } from './child.js';

/**
 * Leaves a socket file at `sockPath` with nothing behind it, the way a
 * crashed observer does: a child binds it and is SIGKILLed.
 */
export async function leaveStaleSocket(sockPath: string): Promise<void> {
  const child = startFixture('bind-and-wait.ts', [sockPath]);
  child.stdout!.setEncoding('utf8');
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: string) => {
      out += d;
      if (out.includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`fixture exited early (${code})`)));
  });
  child.kill('SIGKILL');
  await once(child, 'exit');
}
