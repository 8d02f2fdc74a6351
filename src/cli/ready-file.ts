import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * `--ready-file`: for scripts that cannot read stdout. Written to a temporary name and renamed,
 * so that a script polling for the file never reads half of it.
 */
export async function writeReadyFile(file: string, server: { url: string; port: number }): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify({ url: server.url, port: server.port, pid: process.pid }) + '\n');
  await rename(temporary, file);
}
