"""Self-hosting: GPU prices, sizing a replica, packing replicas, cost curves and calibration."""
