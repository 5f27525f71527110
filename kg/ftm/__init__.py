"""FollowTheMoney (OpenSanctions) interop: import entities, link them to the articles' actors, export ours.

- :func:`kg.ftm.importer.import_ftm`: ``kg import`` (mapping in :mod:`kg.ftm.mapper`,
  the curator's rules in ``rules/ftm-mapping.yaml`` read by :mod:`kg.ftm.rules`);
- :mod:`kg.ftm.matcher`: the links between imported entities and article actors;
- :mod:`kg.ftm.synth`: a synthetic FtM export of OpenSanctions' shape, for scale.

The FtM export itself is a format of :mod:`kg.export`.
"""
