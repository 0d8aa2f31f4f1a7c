"""The workload: its model and presets, traffic classes, and workloads read from usage exports."""
