import { Type, type Static } from '@sinclair/typebox';
import { EmptyObject, ResourceSchema } from './kube.js';

export const CommunitySpecSchema = Type.Object(
  {
    communities: Type.Optional(
      Type.Array(
        Type.Object({
          name: Type.Optional(Type.String({ description: 'The alias, usable in a BGPAdvertisement in place of the value.' })),
          value: Type.Optional(Type.String({ description: 'A standard community A:B or a large community large:A:B:C.' })),
        }),
        { description: 'Named community values.' },
      ),
    ),
  },
  { description: 'Aliases for BGP communities.' },
);

export const CommunitySchema = ResourceSchema('Names for BGP community values, to use in BGPAdvertisements.', {
  spec: Type.Optional(CommunitySpecSchema),
  status: Type.Optional(EmptyObject('Nothing is reported here yet.')),
});

export type CommunitySpec = Static<typeof CommunitySpecSchema>;
export type Community = Static<typeof CommunitySchema>;
