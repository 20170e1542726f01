"""The gRPC layer: servicers that only translate, one error table, create_server()."""
