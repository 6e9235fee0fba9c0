"""Demo data: the story of SPEC.md ready to click (the book 《看见》, customers A and B, the two
departments, agents, leads, a confirmer) over a believable background of products, orders,
contacts and past andons. Stable identifiers: README and outside tests rely on them."""
