import { randomBytes } from 'node:crypto';
import * as parser from 'socket.io-parser';
import type { ServerOptions } from 'socket.io';

/**
 * JSON text encoded once, sent as is in a packet (as an argument, or as an argument's `users`): §1's list goes out
 * as an event and as its ack from one `JSON.stringify`, instead of one each (CONTRACT §11). Only for packets to one
 * connection: the Redis adapter does not carry it to other nodes.
 */
export class EncodedJson {
  constructor(
    readonly text: string,
    /** How many items a list held: what reading it cost. */
    readonly items = 0,
  ) {}

  static ofList(list: readonly unknown[]): EncodedJson {
    return new EncodedJson(JSON.stringify(list), list.length);
  }
}

type Packet = { type: parser.PacketType; nsp: string; id?: number; data?: unknown };

/**
 * Whether a packet holds encoded JSON where this service puts it: as an argument (an event's payload) or as an
 * argument's `users` (an ack). Looked at for every packet, so it looks only there.
 */
function holdsEncodedJson(data: unknown): boolean {
  if (!Array.isArray(data)) return false;
  for (const arg of data) {
    if (arg instanceof EncodedJson || (arg as { users?: unknown } | null)?.users instanceof EncodedJson) return true;
  }
  return false;
}

/**
 * Socket.IO's encoder, splicing encoded JSON into the packet's text. The placeholder holds a secret of this process,
 * so no string a client sends can be taken for one; packets without encoded JSON are encoded exactly as before.
 */
class SharedEncodingEncoder extends parser.Encoder {
  private readonly placeholder = `\u0000encoded:${randomBytes(16).toString('hex')}`;
  private readonly quotedPlaceholder = JSON.stringify(this.placeholder);

  override encode(packet: Packet): Array<string | Buffer> {
    if ((packet.type !== parser.PacketType.EVENT && packet.type !== parser.PacketType.ACK) || !holdsEncodedJson(packet.data)) {
      return super.encode(packet);
    }
    const parts: string[] = [];
    const json = JSON.stringify(packet.data, (_key, value: unknown) => {
      if (!(value instanceof EncodedJson)) return value;
      parts.push(value.text);
      return this.placeholder;
    });
    const pieces = json.split(this.quotedPlaceholder);
    let text = pieces[0] ?? '';
    for (let i = 1; i < pieces.length; i++) text += (parts[i - 1] ?? 'null') + pieces[i];
    const nsp = packet.nsp && packet.nsp !== '/' ? `${packet.nsp},` : '';
    return [`${packet.type}${nsp}${packet.id ?? ''}${text}`];
  }
}

/** The parser option for the server: Socket.IO's own, with the encoder above. The wire format does not change. */
export const sharedEncodingParser: NonNullable<ServerOptions['parser']> = { ...parser, Encoder: SharedEncodingEncoder };
