"""One module per sub-command: ``register(subparsers)`` adds it, ``main(args)`` runs it."""
