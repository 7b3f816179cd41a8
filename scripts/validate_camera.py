"""Validate backcare's camera angles and REBA/RULA against independent references.

Not part of the unit tests: it needs images that the project does not ship. One command::

    .venv/bin/python scripts/validate_camera.py --data DIR

``DIR`` holds the images named in ``validation/camera/sources.csv`` at their paths there (for
example ``DIR/tests/data/h36m/S1/.../S1_Directions_1.54138969_000001.jpg``): the test data of
the public pose-estimation project listed in that file, at the commit listed. The reference
keypoints are in ``validation/camera/keypoints.csv``:

* ``space = world_m``: motion-capture joints (Human3.6M) in metres, already turned into a
  gravity frame (+z up) with the dataset's own camera parameters. They give every angle from
  every view.
* ``space = image_px``: keypoints placed by human annotators (COCO, OCHuman, PoseTrack, MPII)
  in pixels. They give
  sagittal angles only where the reference itself shows a side view (shoulder width under 0.35
  of the torso length in the image); other views are left out of those angles.

``--build-references MMPOSE_DIR`` regenerates ``keypoints.csv`` from a checkout of that
project's ``tests/data`` (it reads ``h36m/test_h36m.npz`` with ``h36m/cameras.pkl``, the
COCO-style files listed in ``COCO_STYLE`` (COCO, OCHuman, PoseTrack, AI Challenger,
CrowdPose, MHP, JHMDB, ExLPose, Human-Art's photos of real people),
``mpi_inf_3dhp/test_3dhp_*.npz`` (motion capture projected into the picture) and
``mpii/test_mpii.json``).

A second source adds several hundred side views: the Leeds Sports Pose Extended set (LSPET,
10,000 Flickr photos of parkour, gymnastics and athletics with 14 joints clicked by paid
annotators), from the mirror listed in ``sources.csv``. Lay it out as ``DIR/lspet/images/
im00001.jpg`` ... (the mirror's ``images`` folder under ``DIR/lspet``). ``--build-lspet
LSPET_DIR`` reads ``LSPET_DIR/joints.mat`` and writes the rows of source ``lspet`` into
``keypoints.csv`` (the other sources' rows stay; ``--build-references`` likewise keeps the
``lspet`` rows). Only photos whose own keypoints show a side view and a posture a worker can
take are kept (see ``lspet_posture``). LSPET has no ears or nose: its ``head top`` stands in for
the ear (neck flexion is the angle between the trunk and the line from the shoulder midpoint to
the head top) and its ``neck`` point is not used; trunk flexion comes from the hip and shoulder
midpoints, the upper arm from shoulder to elbow, the knee from hip, knee and ankle. Joints the
annotators marked as not visible are left out, and an angle that needs one is not computed.

A third source is photos of people at work (desk work, lifting, stooping, squatting,
reaching) from public repositories, with keypoints placed by hand for this project on a
labelled pixel grid, without a pose model, and checked by drawing them on the photo.
``validation/camera/handplaced.csv`` holds one line per joint: ``repository`` (owner/name),
``commit``, ``path`` (the photo's path in that repository at that commit), ``joint`` (COCO's
names: nose, left/right ear, shoulder, elbow, wrist, hip, knee, ankle), ``x``, ``y`` (pixels of
the original photo) and ``placed_by``. Only joints seen or located with confidence are placed;
the far shoulder and hip of a side view, hidden behind the body, are placed where they lie
behind it. Lay the photos out as ``DIR/handplaced/OWNER/NAME/PATH`` (``git show
COMMIT:PATH`` from each repository listed in ``sources.csv``). ``--build-handplaced FILE``
reads that file and writes the rows of source ``handplaced`` into ``keypoints.csv`` (the other
sources' rows stay).

A fourth source scores REBA as people do: ``validation/camera/rater_scores.csv``, 72 phone photos
of lifting, carrying to a table and till work (one person in a motion-capture suit), each moment
filmed by two phones at once and each photo scored with REBA by the person who filmed it, from
the project listed in ``sources.csv`` (its spreadsheet of REBA scores; the matching photo is the
one whose file name carries the same take, rater and second of video). One line per photo:
``repository``, ``commit``, ``path``, ``moment`` (the same for both phones' photos of one
instant), ``rater``, ``seconds``, ``reba`` and the rater's part scores (``neck`` ... ``wrist``,
``force_load``, ``coupling``, ``activity``), and ``motion_capture_reba``: the same project's
REBA of that instant read off the motion-capture replay. backcare is given the load (the middle
of the rater's force band: 0, 7.5 or 15 kg) and the grip (coupling), as an ergonomist would,
and its REBA range is compared with the rater's score: within +-1 (the score lies within one
point of the range), same action level, the range's width, and its lowest end (what the camera
saw, unseen adjustments counted as absent) as one number. The two phones of one moment give the
two-view figure (``two_phones``): how far apart backcare's REBA lies when both photos are side
or oblique views, next to how far apart the two raters' scores lie. The photos lie under
``DIR/handplaced/OWNER/NAME/PATH`` like the hand-placed ones.

``--only-source NAME`` (may be repeated) measures only the images of those sources (the
``source`` column of ``keypoints.csv``: ``handplaced``, ``lspet``, ``coco`` ..., or ``raters``
for the photos scored by raters), for example ``--only-source handplaced`` for the work photos
alone, without running the pose model over the several hundred other images.

For every hand-placed side view the way the person faces (which sets the sign of flexion) comes
first from a knee bent 30 deg or more (``knee_facing``), then from the head, nose or knees as
before; a reference upper arm more than 90 deg behind the trunk is an arm raised overhead and
tipped back, so it counts as flexion past 180 deg; an upper arm drawn shorter than 0.4 of the
torso points at or away from the camera and gives no upper-arm angle (``arm_in_plane``).

A second annotator placed the same photos' joints again, independently (without seeing the first
placement or any pose model's output): ``validation/camera/handplaced_second.csv``, same columns.
``--second-annotator FILE`` (by default that file, when it exists; ``none`` skips it) reads it,
computes its reference angles and scores with the same functions as the first annotator's, and
adds to the summary ``second_annotator``: between the annotators (``annotator_agreement``) the
mean absolute and mean signed difference per angle, REBA and RULA exact and within +-1 agreement,
and per joint how far the two placements lie apart (in torso lengths, ahead and up); and
backcare's angle error against the first annotator, the second and their mean on the same photos
(``backcare_vs_annotators``), so that its error can be read beside the reference's own spread. A
photo where the two placed different people is set aside and named.

For the hand-placed side views the summary's ``upper_arm_error_source`` says where the upper-arm
error comes from: the reference's angles recomputed with the pose model's elbows on the
reference's shoulders and hips, and with the reference's elbows on the model's shoulders and hips
(``swapped_points``).

For each image the script runs the same analysis as ``backcare camera analyze`` (MediaPipe
0.10.14), picks the reference person nearest the analysed one, and prints:

* mean absolute error per angle (trunk flexion, neck flexion, upper-arm flexion of the more
  raised arm, knee flexion of the more bent knee) over the images where both have a value,
  the short way round the circle (an arm overhead reads near +180 or -180);
* REBA and RULA agreement with the score the reference angles give (no adjustments, wrist
  neutral, no load, a photo's timing): exact (backcare's range is that one score), within +-1
  (the reference lies within one point of backcare's range), same action level (the
  reference's level is within the range's levels), and the mean width of backcare's range;
* refusals (no person, or no score) and the wrong person (no reference person near);

separately for side, oblique and front views (the reference's view), side views again per
source (``side_by_source``: hand-clicked sports photos and motion capture differ); and, for
motion-capture frames filmed by several cameras at once (same subject, action and frame,
different camera), how far apart the REBA of two views of the same moment lies when both are
side or oblique views.

Two cameras filming the same moment, without a reference: synchronised lab videos (frame k of
every camera is the same instant) laid out as ``DIR/pose2sim/RECORDING/videos/camNN.mp4`` with
the lab's Qualisys calibration as ``DIR/pose2sim/RECORDING/Calib.qca.txt`` (the recordings and
commits are in ``sources.csv``). ``--data DIR`` compares them whenever ``DIR/pose2sim`` exists;
``--two-view`` does only that::

    .venv/bin/python scripts/validate_camera.py --data DIR --two-view [--every 5]
        [--two-view-mode photos|video|both] [--json FILE]

Every ``--every``-th frame is compared, read two ways: as a photo on its own (the frame saved as
a JPEG and analysed like ``backcare camera analyze`` analyses a photo, as an ergonomist would
with two phones taking a picture at once) and from the whole video analysed through
``backcare.analyze_media`` (the person tracked). For every two cameras at every moment it
reports (``pair_figures``): the pairs where backcare reads both views as side or oblique, those
with a REBA range in both, the gap between the two ranges (0 when they share a score; within 1
point is the goal) and the difference of their midpoints, the trunk, upper-arm (flexion and
abduction) and knee differences, and the pairs left out and why: nobody found, a front view,
or the cameras analysed two different people. The calibration tells the last: the lines of
sight through the hip midpoints must meet near one point (``other_person``). It also gives a
geometric check that needs no annotation (``lab_trunk``): hips and shoulders put in the lab's
space from all views give the trunk's forward and sideways lean and the way the pelvis faces,
hence from which side each camera really sees the person (``lab_view``), against which
backcare's view and trunk flexion are counted (``lab_figures``). Each camera's place round the
platform is printed.

The code lies in the package ``scripts/camera_validation`` (one private module per source or
step); this file is only the command.
"""

from camera_validation import main

if __name__ == "__main__":
    raise SystemExit(main())
