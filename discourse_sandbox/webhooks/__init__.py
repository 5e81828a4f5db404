"""Web hook deliveries: the publisher that serializes events, the emitter that queues and sends them."""
