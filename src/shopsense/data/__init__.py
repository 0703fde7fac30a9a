"""Id maps, interaction arrays and loaders for real data sets."""
