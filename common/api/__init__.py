"""The public HTTP contract: request/response models and the operation of each function."""
