/**
 * Where endpoints say they are. Every endpoint is the same local server, so
 * hosts carry the port (`127.0.0.1:54322`): a URI built Neon's way from
 * `connection_parameters` (`postgresql://role:pw@host/db`) then still works.
 * An unreachable (fault) or disabled endpoint advertises a port that refuses
 * connections.
 */
import type { DatabaseRecord, EndpointRecord, RoleRecord } from "./state.ts";

export interface AddressOptions {
  host: string;
  port: number;
  /** A local port with nothing listening, advertised by unreachable endpoints. */
  refusingPort: number;
  /** `sslmode` query parameter of connection URIs; omitted when undefined. */
  sslmode?: string;
}

export class Addresses {
  constructor(
    private readonly options: AddressOptions,
    private readonly reachable: (ep: EndpointRecord) => boolean,
  ) {}

  get host(): string {
    return this.options.host;
  }
  get port(): number {
    return this.options.port;
  }
  get refusingPort(): number {
    return this.options.refusingPort;
  }

  hostPort(ep: EndpointRecord | undefined): string {
    const port = ep && !this.reachable(ep) ? this.options.refusingPort : this.options.port;
    return `${this.options.host}:${port}`;
  }

  uri(role: RoleRecord, db: DatabaseRecord, ep: EndpointRecord | undefined): string {
    const query = this.options.sslmode ? `?sslmode=${this.options.sslmode}` : "";
    return `postgresql://${encodeURIComponent(role.physical)}:${encodeURIComponent(role.password)}@${this.hostPort(ep)}/${encodeURIComponent(db.physical)}${query}`;
  }

  details(role: RoleRecord, db: DatabaseRecord, ep: EndpointRecord | undefined) {
    const host = this.hostPort(ep);
    return {
      connection_uri: this.uri(role, db, ep),
      // Physical names: they are what the local server knows (see README).
      connection_parameters: { database: db.physical, password: role.password, role: role.physical, host, pooler_host: host },
    };
  }
}
