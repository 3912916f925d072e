// Public API of @lb/speaker.
export {};
