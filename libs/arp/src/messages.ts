import { ARP_REPLY, ARP_REQUEST } from './arp.js';
import { type EthernetHeader, type VlanTag } from './ethernet.js';
import { type ArpFrame, type NdpFrame } from './frame.js';
import { ALL_NODES_MAC, BROADCAST_MAC, ZERO_MAC, isMulticastMac } from './mac.js';

/** The frames a responder sends, built from its interface and the frame it answers. */

export interface Sender {
  readonly mac: string;
  readonly vlan?: VlanTag;
}

function ethernet(sender: Sender, dst: string): EthernetHeader {
  return sender.vlan ? { dst, src: sender.mac, vlan: sender.vlan } : { dst, src: sender.mac };
}

/**
 * Gratuitous ARP in both forms (MetalLB sends both: some hosts update their cache from one, some
 * from the other). Request form per RFC 5227 (target hardware address zero); reply form per
 * RFC 5944 4.6 (target hardware address set to the new mapping too).
 */
export function gratuitousArp(sender: Sender, ip: string): [ArpFrame, ArpFrame] {
  const eth = ethernet(sender, BROADCAST_MAC);
  return [
    { kind: 'arp', eth, arp: { op: ARP_REQUEST, sha: sender.mac, spa: ip, tha: ZERO_MAC, tpa: ip } },
    { kind: 'arp', eth, arp: { op: ARP_REPLY, sha: sender.mac, spa: ip, tha: sender.mac, tpa: ip } },
  ];
}

/**
 * Advertisements come from the advertised address itself, as Linux sends them for its own
 * addresses; ndisc6 ignores an answer from any other source (MetalLB's link-local source included).
 */

/** Unsolicited advertisement to all nodes with Override, so existing cache entries move (RFC 4861 7.2.6). */
export function unsolicitedAdvertisement(sender: Sender, ip: string): NdpFrame {
  return {
    kind: 'ndp',
    eth: ethernet(sender, ALL_NODES_MAC),
    ipv6: { src: ip, dst: 'ff02::1' },
    ndp: { type: 'advertisement', router: false, solicited: false, override: true, target: ip, options: [{ kind: 'target-link-layer', mac: sender.mac }] },
  };
}

/**
 * The reply to an ARP request for `request.arp.tpa`, addressed to the sender's hardware address
 * (or the frame's source when the sender left it zero or multicast, as probes from odd stacks do).
 */
export function arpReply(sender: Sender, request: ArpFrame): ArpFrame {
  const { sha, spa, tpa } = request.arp;
  const dst = sha === ZERO_MAC || isMulticastMac(sha) ? request.eth.src : sha;
  return { kind: 'arp', eth: ethernet(sender, dst), arp: { op: ARP_REPLY, sha: sender.mac, spa: tpa, tha: sha, tpa: spa } };
}

/**
 * The advertisement answering a solicitation for `target`. Duplicate address detection (source ::)
 * gets the multicast answer RFC 4861 7.2.4 prescribes, without Solicited, so the prober sees the
 * address is taken; everything else a unicast answer with Solicited and Override.
 */
export function solicitedAdvertisement(sender: Sender, solicitation: NdpFrame, sourceLinkLayer: string | undefined): NdpFrame {
  const target = solicitation.ndp.target;
  const options = [{ kind: 'target-link-layer', mac: sender.mac }] as const;
  if (solicitation.ipv6.src === '::') {
    return {
      kind: 'ndp',
      eth: ethernet(sender, ALL_NODES_MAC),
      ipv6: { src: target, dst: 'ff02::1' },
      ndp: { type: 'advertisement', router: false, solicited: false, override: true, target, options },
    };
  }
  return {
    kind: 'ndp',
    eth: ethernet(sender, sourceLinkLayer ?? solicitation.eth.src),
    ipv6: { src: target, dst: solicitation.ipv6.src },
    ndp: { type: 'advertisement', router: false, solicited: true, override: true, target, options },
  };
}
