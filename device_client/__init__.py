"""The reference device client of federated learning (pure numpy + requests).

What a mobile or web client implements (docs/federated-learning-protocol.md): fetch the
model, train on the device's own interactions, send a clipped item-factor update, re-rank
the promoted feed with the device's own user factor. Also the seeded synthetic population
and the ranking metrics the simulation and the benchmark use.
"""
