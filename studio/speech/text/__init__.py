"""Text for speech: normalisation, clause splitting, language segmentation."""
