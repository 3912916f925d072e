// RFC 5880 §5: an echo packet's payload is a local matter, read only by the system that sent it.
// Ours carries the sending session's discriminator (to demultiplex the returned packet, §6.8.8)
// and a sequence number.
import { err, ok, type Result } from '../result.js';

export const ECHO_PACKET_LENGTH = 12;
/** "lb" and a version, so that somebody else's echo packets are told apart from ours. */
const MAGIC = 0x6c62;
const VERSION = 1;

export interface EchoPacket {
  readonly myDiscriminator: number;
  readonly sequence: number;
}

function encode(packet: EchoPacket, buf: Uint8Array = new Uint8Array(ECHO_PACKET_LENGTH), offset = 0): Uint8Array {
  buf[offset] = MAGIC >> 8;
  buf[offset + 1] = MAGIC & 0xff;
  buf[offset + 2] = VERSION;
  buf[offset + 3] = ECHO_PACKET_LENGTH;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  view.setUint32(offset + 4, packet.myDiscriminator);
  view.setUint32(offset + 8, packet.sequence);
  return buf;
}

function decode(buf: Uint8Array, offset = 0, end = buf.length): Result<EchoPacket, string> {
  if (end - offset < ECHO_PACKET_LENGTH) return err(`an echo packet is ${ECHO_PACKET_LENGTH} bytes, ${end - offset} received`);
  if (buf[offset] !== MAGIC >> 8 || buf[offset + 1] !== (MAGIC & 0xff) || buf[offset + 2] !== VERSION || buf[offset + 3] !== ECHO_PACKET_LENGTH) {
    return err('not an echo packet of this implementation');
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  return ok({ myDiscriminator: view.getUint32(offset + 4), sequence: view.getUint32(offset + 8) });
}

/** Codec for the echo packets this library sends and expects back. */
export const echoPacket = { encode, decode, encodingLength: (): number => ECHO_PACKET_LENGTH } as const;
