// Builds the prebuilt addons the package ships, both stripped:
//   prebuilds/linux-x64/hostwire.node and prebuilds/linux-arm64/hostwire.node
// The machine's own architecture builds natively; the other one with the
// Debian/Ubuntu cross toolchain (g++-aarch64-linux-gnu or g++-x86-64-linux-gnu).
// Run through npm (`npm run build:prebuilds`, `npm pack`), so node-gyp gets
// npm's nodedir and prebuildify comes from node_modules/.bin.
// HOSTWIRE_PREBUILDS=x64 (a comma-separated list) builds only those, e.g. to
// pack on a machine without the cross toolchain.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const TARGETS = [
  { arch: 'x64', triplet: 'x86_64-linux-gnu', aptPackage: 'g++-x86-64-linux-gnu', elfMachine: 62 /* EM_X86_64 */ },
  { arch: 'arm64', triplet: 'aarch64-linux-gnu', aptPackage: 'g++-aarch64-linux-gnu', elfMachine: 183 /* EM_AARCH64 */ },
];
const CROSS_TOOLS = ['gcc', 'g++', 'ar', 'strip'];
const wanted = (process.env.HOSTWIRE_PREBUILDS || TARGETS.map((t) => t.arch).join(',')).split(',').map((a) => a.trim());

function fail(message) {
  console.error(`build:prebuilds: ${message}`);
  process.exit(1);
}

function onPath(tool) {
  return (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(path.join(dir, tool)));
}

if (os.platform() !== 'linux') fail(`prebuilds are built on Linux (this is ${os.platform()})`);
if (!TARGETS.some((t) => t.arch === os.arch())) fail(`no prebuild is built on ${os.arch()} (x64 and arm64 are)`);
const unknown = wanted.filter((arch) => !TARGETS.some((t) => t.arch === arch));
if (unknown.length > 0) fail(`HOSTWIRE_PREBUILDS names ${unknown.join(', ')}; the prebuilds are x64 and arm64`);

// Check every cross toolchain before building anything: a missing one fails fast, saying what to install.
const builds = TARGETS.filter((t) => wanted.includes(t.arch)).map((target) => {
  if (target.arch === os.arch()) return { target, env: {} };
  const missing = CROSS_TOOLS.map((tool) => `${target.triplet}-${tool}`).filter((tool) => !onPath(tool));
  if (missing.length > 0) {
    fail(
      `the linux-${target.arch} prebuild needs the ${target.triplet} cross toolchain; missing on PATH: ${missing.join(', ')}.\n` +
        `Install it (Debian/Ubuntu): apt-get install -y ${target.aptPackage}\n` +
        `(or pack without that prebuild: HOSTWIRE_PREBUILDS=${os.arch()} npm pack)`,
    );
  }
  const tool = (name) => `${target.triplet}-${name}`;
  return {
    target,
    env: { CC: tool('gcc'), CXX: tool('g++'), LINK: tool('g++'), AR: tool('ar'), PREBUILD_STRIP_BIN: tool('strip') },
  };
});

// Only what this run builds ends up in the tarball.
rmSync('prebuilds', { recursive: true, force: true });
// Cross builds first, so build/ holds this machine's objects afterwards.
builds.sort((a, b) => Number(a.target.arch === os.arch()) - Number(b.target.arch === os.arch()));
for (const { target, env } of builds) {
  console.error(`build:prebuilds: linux-${target.arch}${env.CXX ? ` with ${env.CXX}` : ''}`);
  const run = spawnSync('prebuildify', ['--napi', '--strip', '--arch', target.arch], {
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  if (run.status !== 0) fail(`prebuildify for linux-${target.arch} failed (${run.error?.message ?? `exit ${run.status}`})`);
  checkBinary(path.join('prebuilds', `linux-${target.arch}`, 'hostwire.node'), target);
}

/** The built file must be an ELF shared object for the right machine, with no symbol table left. */
function checkBinary(file, target) {
  const header = Buffer.alloc(64);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, header, 0, 64, 0);
    if (header.toString('latin1', 0, 4) !== '\x7fELF' || header[4] !== 2 || header[5] !== 1) {
      fail(`${file} is not a 64-bit little-endian ELF file`);
    }
    const machine = header.readUInt16LE(18);
    if (machine !== target.elfMachine) fail(`${file} is built for ELF machine ${machine}, not ${target.elfMachine}`);
    const sectionsAt = Number(header.readBigUInt64LE(0x28));
    const sectionSize = header.readUInt16LE(0x3a);
    const sectionCount = header.readUInt16LE(0x3c);
    const section = Buffer.alloc(sectionSize);
    for (let i = 0; i < sectionCount; i++) {
      readSync(fd, section, 0, sectionSize, sectionsAt + i * sectionSize);
      if (section.readUInt32LE(4) === 2 /* SHT_SYMTAB */) fail(`${file} is not stripped`);
    }
  } finally {
    closeSync(fd);
  }
}
