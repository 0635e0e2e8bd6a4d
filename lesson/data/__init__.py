"""The data layer: stimuli, downloads, weights, the network and the activation bank. Imports only the kernel."""
