/**
 * Why the server could not listen, as one line for the user: the host and port it tried, what the
 * system said, and what to do. Undefined for errors that are not about the address.
 */
export function describeListenError(error: unknown, host: string, port: number): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const otherPort = 'choose another with --port (or "port" in the config), or --port 0 to let the system pick a free one';
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NONAME':
      return `cannot listen on ${where}: the host ${JSON.stringify(host)} cannot be resolved (${code}); pass --host with an address or name of this machine, such as 127.0.0.1 or localhost`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${where}: ${host} is not an address of this machine (EADDRNOTAVAIL); pass --host with one of its addresses, such as 127.0.0.1`;
    case 'EACCES':
    case 'EPERM':
      return `cannot listen on ${where}: permission denied (${code})${port > 0 && port < 1024 ? ', ports below 1024 need privileges' : ''}; ${otherPort}`;
    case 'EADDRINUSE':
      return `cannot listen on ${where}: the port is taken (EADDRINUSE); ${otherPort}`;
    default:
      return undefined;
  }
}

/** The server could not listen; the message is one line for the user. */
export class ListenError extends Error {}
