import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** Folder of the test fixtures, resolved from this module (test/dist/harness or test/src/harness). */
export const FIXTURES_DIR = fileURLToPath(new URL('../../fixtures', import.meta.url));

const REGISTRY_PLACEHOLDER = '127.0.0.1:5000';
const GIT_ROOT_PLACEHOLDER = 'file:///srv/git';

export interface FixtureAddresses {
  registry: string;
  gitRoot: string;
}

/** Reads a fixture and replaces the placeholder registry address and Git root with the running ones. */
export async function renderFixture(relativePath: string, addresses: FixtureAddresses): Promise<string> {
  const text = await readFile(join(FIXTURES_DIR, relativePath), 'utf8');
  return text.replaceAll(REGISTRY_PLACEHOLDER, addresses.registry).replaceAll(GIT_ROOT_PLACEHOLDER, `file://${addresses.gitRoot}`);
}

/** Renders a fixture into `dir` under the same file name and returns the written path. */
export async function writeFixture(dir: string, relativePath: string, addresses: FixtureAddresses): Promise<string> {
  const target = join(dir, relativePath.replaceAll('/', '-'));
  await writeFile(target, await renderFixture(relativePath, addresses));
  return target;
}
