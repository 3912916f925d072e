// Public API of @lb/ipam.
export {};
