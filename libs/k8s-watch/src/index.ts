// Public API of @lb/k8s-watch.
export {};
