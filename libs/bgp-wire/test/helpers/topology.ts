import { Lab, requireNetworkLab } from '@lb/netlab';

/** Two namespaces joined by a veth: our speaker on one side, a router on the other. */
export interface TwoNodes {
  readonly lab: Lab;
  readonly speakerNs: string;
  readonly peerNs: string;
  readonly speaker: { readonly v4: string; readonly v6: string };
  readonly peer: { readonly v4: string; readonly v6: string };
}

export function twoNodes(tag: string, tools: readonly string[] = []): TwoNodes {
  requireNetworkLab(tools);
  const lab = new Lab(tag);
  const speakerNs = lab.namespace('spk');
  const peerNs = lab.namespace('rtr');
  const link = lab.veth(speakerNs, peerNs);
  const speaker = { v4: '10.70.0.1', v6: 'fd70::1' };
  const peer = { v4: '10.70.0.2', v6: 'fd70::2' };
  lab.address(speakerNs, link.a, `${speaker.v4}/24`);
  lab.address(speakerNs, link.a, `${speaker.v6}/64`);
  lab.address(peerNs, link.b, `${peer.v4}/24`);
  lab.address(peerNs, link.b, `${peer.v6}/64`);
  return { lab, speakerNs, peerNs, speaker, peer };
}
