import * as parser from 'socket.io-parser';
import { EncodedJson, sharedEncodingParser } from '../../../../src/adapters/socket/shared-encoding';

type Packet = { type: parser.PacketType; nsp: string; id?: number; data?: unknown };

const encoder = new sharedEncodingParser.Encoder() as parser.Encoder;
const plain = new parser.Encoder();

/** What a client's decoder makes of an encoded packet. */
function decoded(encoded: ReturnType<parser.Encoder['encode']>): Packet {
  const decoder = new parser.Decoder();
  let packet: Packet | undefined;
  decoder.on('decoded', (p: Packet) => (packet = p));
  for (const chunk of encoded) decoder.add(chunk);
  if (packet === undefined) throw new Error('nothing decoded');
  return packet;
}

const users = [
  { userId: 7, status: 'online', lastSeen: '2026-11-27T20:11:26.123Z', userType: 'agent', userName: 'Ada' },
  // A client's own text that looks like the placeholder stays text.
  { userId: '\u0000encoded:00', status: 'online', lastSeen: '2026-11-27T20:11:26.123Z', userType: null, userName: '"\u0000"' },
];

describe('sharedEncodingParser', () => {
  it('sends an event and its ack holding one encoded list as a client decodes the plain list', () => {
    const list = EncodedJson.ofList(users);
    const event = { type: parser.PacketType.EVENT, nsp: '/', data: ['onlineUsersList', list] };
    const ack = { type: parser.PacketType.ACK, nsp: '/', id: 12, data: [{ ok: true, users: list }] };
    expect(decoded(encoder.encode(event))).toEqual(decoded(plain.encode({ ...event, data: ['onlineUsersList', users] })));
    expect(decoded(encoder.encode(ack))).toEqual({ type: parser.PacketType.ACK, nsp: '/', id: 12, data: [{ ok: true, users }] });
    expect(encoder.encode(ack)).toEqual(plain.encode({ ...ack, data: [{ ok: true, users }] }));
  });

  it('keeps a namespace and splices several encoded values in their places', () => {
    const packet = { type: parser.PacketType.EVENT, nsp: '/admin', id: 3, data: ['x', new EncodedJson('[1]'), { a: new EncodedJson('{"b":2}') }] };
    expect(decoded(encoder.encode(packet))).toEqual({ ...packet, data: ['x', [1], { a: { b: 2 } }] });
  });

  it('encodes packets without encoded JSON exactly as Socket.IO does, binary ones included', () => {
    const packets: Packet[] = [
      { type: parser.PacketType.EVENT, nsp: '/', data: ['userStatusChanged', { userId: 7, status: 'online' }] },
      { type: parser.PacketType.ACK, nsp: '/', id: 1, data: [{ ok: true, userId: 'a' }] },
      { type: parser.PacketType.CONNECT, nsp: '/', data: { sid: 'abc' } },
      { type: parser.PacketType.EVENT, nsp: '/', data: ['blob', Buffer.from([1, 2])] },
    ];
    for (const packet of packets) expect(encoder.encode(packet)).toEqual(plain.encode(packet));
  });

  it('counts the items of an encoded list', () => {
    expect(EncodedJson.ofList(users).items).toBe(2);
    expect(new EncodedJson('{}').items).toBe(0);
  });
});
