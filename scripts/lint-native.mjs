// clang-format over the C and C++ sources (native/ and bench/c/), with the
// style in .clang-format. `npm run lint:native` checks (fails on any line the
// formatter would change); `npm run format:native` (--fix) rewrites in place.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIRS = ['native', 'bench/c'];
const SOURCE = /\.(c|cc|h)$/;
const fix = process.argv.includes('--fix');

function sources(dir) {
  return readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && SOURCE.test(entry.name))
    .map((entry) => path.relative(root, path.join(entry.parentPath ?? entry.path, entry.name)))
    .sort();
}

const files = DIRS.flatMap(sources);
const version = spawnSync('clang-format', ['--version'], { encoding: 'utf8' });
if (version.error) {
  console.error('lint:native: clang-format is not installed (Debian/Ubuntu: apt-get install -y clang-format)');
  process.exit(1);
}
const args = fix ? ['-i', ...files] : ['--dry-run', '--Werror', ...files];
const run = spawnSync('clang-format', args, { cwd: root, stdio: 'inherit' });
if (run.status !== 0) {
  if (!fix) {
    console.error(`lint:native: run \`npm run format:native\` to apply the style (${version.stdout.trim()};`);
    console.error('the tree is formatted with clang-format 14, and other versions may disagree on a few lines)');
  }
  process.exit(run.status ?? 1);
}
if (!fix) console.log(`lint:native: ${files.length} files formatted as .clang-format says`);
